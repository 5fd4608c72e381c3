/** Environments read from spawn options, compared, and named. */
import {
  environmentOf,
  RECORDED_IMAGE_KEY,
  sameEnvironment,
  serverNameFor
} from './environments';

describe('environments', () => {
  describe('#environmentOf()', () => {
    it("should read DockerSpawner's image key", () => {
      const environment = environmentOf({
        image: 'image-b',
        [RECORDED_IMAGE_KEY]: 'demo/data-science:2026.12'
      });
      expect(environment).toEqual({
        id: 'image=image-b',
        label: 'image-b (demo/data-science:2026.12)',
        pinned: true,
        spawnOptions: { image: 'image-b' },
        image: 'demo/data-science:2026.12'
      });
    });

    it("should read KubeSpawner's profile and options in a stable order", () => {
      const first = environmentOf({
        profile: 'data-science',
        image: '2026-12'
      });
      const second = environmentOf({
        image: '2026-12',
        profile: 'data-science'
      });
      expect(first.id).toBe(second.id);
      expect(first.label).toBe('profile data-science, image 2026-12');
      expect(Object.keys(first.spawnOptions)).toEqual(['image', 'profile']);
    });

    it("should call no options the Hub's default, not pinned", () => {
      const environment = environmentOf({});
      expect(environment).toEqual(
        expect.objectContaining({
          id: '',
          pinned: false,
          label: "the Hub's default environment"
        })
      );
    });

    it('should leave out the keys an admin ignores', () => {
      const environment = environmentOf({ image: 'image-a', mem_limit: '4G' }, [
        'mem_limit'
      ]);
      expect(environment.spawnOptions).toEqual({ image: 'image-a' });
      expect(environment.id).toBe('image=image-a');
    });

    it('should compare nested options by value, not key order', () => {
      const a = environmentOf({ opts: { b: 1, a: [1, 2] } });
      const b = environmentOf({ opts: { a: [1, 2], b: 1 } });
      expect(a.id).toBe(b.id);
      expect(environmentOf({ opts: { a: [2, 1], b: 1 } }).id).not.toBe(a.id);
    });
  });

  describe('#sameEnvironment()', () => {
    it('should match equal options', () => {
      expect(
        sameEnvironment(
          environmentOf({ image: 'image-b' }),
          environmentOf({ image: 'image-b', [RECORDED_IMAGE_KEY]: 'x:1' })
        )
      ).toBe(true);
    });

    it('should not match other options or another resolved image', () => {
      expect(
        sameEnvironment(
          environmentOf({ image: 'image-b' }),
          environmentOf({ image: 'image-a' })
        )
      ).toBe(false);
      expect(
        sameEnvironment(
          environmentOf({ image: 'image-b', [RECORDED_IMAGE_KEY]: 'x:1' }),
          environmentOf({ image: 'image-b', [RECORDED_IMAGE_KEY]: 'x:2' })
        )
      ).toBe(false);
    });
  });

  describe('#serverNameFor()', () => {
    const valid = /^[a-z][a-z0-9-]{0,29}$/;

    it('should make a readable, valid server name', () => {
      expect(serverNameFor(environmentOf({ image: 'image-b' }))).toBe(
        'env-image-b'
      );
    });

    it.each([
      [{ profile: 'Data Science!!', image: '2026-12' }],
      [{ image: 'x'.repeat(80) }],
      [{ image: '___' }],
      [{ flag: true }],
      [{}]
    ])('should keep %j within the Hub 6 server-name rule', options => {
      expect(serverNameFor(environmentOf(options))).toMatch(valid);
    });

    it('should keep long names apart', () => {
      const a = serverNameFor(environmentOf({ image: 'x'.repeat(40) + 'a' }));
      const b = serverNameFor(environmentOf({ image: 'x'.repeat(40) + 'b' }));
      expect(a).not.toBe(b);
      expect(a).toMatch(valid);
    });
  });
});
