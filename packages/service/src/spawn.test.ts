import { environmentOf } from './environments';
import { IServerModel } from './hub';
import { findMatchingServer } from './spawn';

const server = (
  name: string,
  state: 'ready' | 'spawn' | 'stop' | 'stopped',
  options: Record<string, unknown> = {}
): IServerModel => ({
  name,
  ready: state === 'ready',
  pending: state === 'spawn' || state === 'stop' ? state : null,
  stopped: state === 'stopped',
  url: `/user/bob/${name}`,
  userOptions: options
});

const A = { image: 'image-a' };
const B = { image: 'image-b', share_link_image: 'demo/data-science:1' };

describe('#findMatchingServer()', () => {
  const pinned = environmentOf(B);
  const unpinned = environmentOf({});

  it.each([
    [
      'reuse a ready default server of the environment',
      [server('', 'ready', B)],
      'default-then-named',
      'reuse',
      ''
    ],
    [
      'prefer the default server to a named one',
      [server('x', 'ready', B), server('', 'ready', B)],
      'default-then-named',
      'reuse',
      ''
    ],
    [
      'reuse a ready named server',
      [server('', 'ready', A), server('mine', 'ready', B)],
      'default-then-named',
      'reuse',
      'mine'
    ],
    [
      'wait for a matching server that is starting',
      [server('', 'ready', A), server('env-image-b', 'spawn', B)],
      'default-then-named',
      'wait',
      'env-image-b'
    ],
    [
      'start the stopped default server',
      [server('', 'stopped', A)],
      'default-then-named',
      'start',
      ''
    ],
    [
      'start the default server of a new user',
      [],
      'default-then-named',
      'start',
      ''
    ],
    [
      'start the default server once it has stopped',
      [server('', 'stop', A)],
      'default-then-named',
      'start',
      ''
    ],
    [
      'start a named server when the default runs another',
      [server('', 'ready', A)],
      'default-then-named',
      'start',
      'env-image-b'
    ],
    [
      'start a named server when the default starts another',
      [server('', 'spawn', A)],
      'default-then-named',
      'start',
      'env-image-b'
    ],
    [
      'restart a stopped named server',
      [server('', 'ready', A), server('env-image-b', 'stopped', B)],
      'default-then-named',
      'start',
      'env-image-b'
    ],
    [
      'start only named servers under named-only',
      [server('', 'stopped', A)],
      'named-only',
      'start',
      'env-image-b'
    ],
    [
      'still reuse a ready default server under named-only',
      [server('', 'ready', B)],
      'named-only',
      'reuse',
      ''
    ]
  ] as const)('should %s', (_what, servers, policy, action, name) => {
    const plan = findMatchingServer(
      pinned,
      new Map(servers.map(s => [s.name, s])),
      policy
    );
    expect(plan.action).toBe(action);
    expect(plan.server).toBe(name);
    if (action === 'start') {
      expect(plan.options).toEqual({ image: 'image-b' });
    }
  });

  it('should not count a server with the same options but another image', () => {
    const other = { image: 'image-b', share_link_image: 'demo/data-science:0' };
    const plan = findMatchingServer(
      pinned,
      new Map([['', server('', 'ready', other)]]),
      'default-then-named'
    );
    expect(plan).toMatchObject({ action: 'start', server: 'env-image-b' });
  });

  it('should use any ready server for a link without environment', () => {
    const plan = findMatchingServer(
      unpinned,
      new Map([['z', server('z', 'ready', A)]]),
      'default-then-named'
    );
    expect(plan).toMatchObject({ action: 'reuse', server: 'z' });
  });

  it('should start the default server without options for a link without environment', () => {
    const plan = findMatchingServer(unpinned, new Map(), 'named-only');
    expect(plan).toEqual(
      expect.objectContaining({ action: 'start', server: '', options: {} })
    );
  });

  it('should refuse when the environment named server runs something else', () => {
    expect(() =>
      findMatchingServer(
        pinned,
        new Map([
          ['', server('', 'ready', A)],
          ['env-image-b', server('env-image-b', 'ready', A)]
        ]),
        'default-then-named'
      )
    ).toThrow(expect.objectContaining({ status: 409 }));
  });
});
