/** Expiry of new links: exact in UTC, capped, and clear when refused. */
import { HttpError } from './errors';
import { parseIsoInstant, resolveExpiry } from './expiry';

const LIMITS = { defaultSeconds: 86400, maxSeconds: 7 * 86400 };
const NOW = new Date('2026-12-04T10:00:00.750Z');

describe('expiry', () => {
  describe('#parseIsoInstant()', () => {
    it('should run in a far time zone (jest.config.js)', () => {
      expect(NOW.getTimezoneOffset()).toBe(-840);
    });

    it.each([
      ['2026-12-31T17:00:00Z', '2026-12-31T17:00:00.000Z'],
      ['2026-12-31T17:00Z', '2026-12-31T17:00:00.000Z'],
      ['2026-12-31t17:00:00.123456z', '2026-12-31T17:00:00.123Z'],
      ['2027-01-01T07:00:00+14:00', '2026-12-31T17:00:00.000Z'],
      ['2026-12-31T07:00:00-1000', '2026-12-31T17:00:00.000Z'],
      ['2026-12-31T22:30:00+05:30', '2026-12-31T17:00:00.000Z'],
      ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z']
    ])('should read %j as %s whatever the local zone', (text, iso) => {
      expect(parseIsoInstant(text)?.toISOString()).toBe(iso);
    });

    it.each([
      '2026-12-31T17:00:00',
      '2026-12-31',
      '2026-12-31 17:00:00Z',
      '2026-13-01T00:00:00Z',
      '2027-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-12-31T24:00:00Z',
      '2026-12-31T17:00:00+25:00',
      'Thu, 31 Dec 2026 17:00:00 GMT',
      'tomorrow',
      ''
    ])('should refuse %j', text => {
      expect(parseIsoInstant(text)).toBeUndefined();
    });
  });

  describe('#resolveExpiry()', () => {
    const seconds = (expiry: { expiresAt: Date }) =>
      (expiry.expiresAt.getTime() - Math.floor(NOW.getTime() / 1000) * 1000) /
      1000;

    it('should use the default when nothing is asked', () => {
      const expiry = resolveExpiry({}, LIMITS, NOW);
      expect(seconds(expiry)).toBe(86400);
      expect(expiry.capped).toBe(false);
      expect(expiry.expiresAt.toISOString()).toBe('2026-12-05T10:00:00.000Z');
    });

    it('should take expires_in in whole seconds', () => {
      expect(seconds(resolveExpiry({ expires_in: 3600 }, LIMITS, NOW))).toBe(
        3600
      );
    });

    it('should take expires_at exactly, on a whole second', () => {
      const expiry = resolveExpiry(
        { expires_at: '2026-12-05T02:00:00.999+14:00' },
        LIMITS,
        NOW
      );
      expect(expiry.expiresAt.toISOString()).toBe('2026-12-04T12:00:00.000Z');
    });

    it('should cap a ten-year expiry at the maximum, not refuse it', () => {
      for (const body of [
        { expires_in: 10 * 365 * 86400 },
        { expires_in: Number.MAX_SAFE_INTEGER },
        { expires_at: '2036-12-04T10:00:00Z' },
        { expires_at: '9999-12-31T23:59:59Z' }
      ]) {
        const expiry = resolveExpiry(body, LIMITS, NOW);
        expect(expiry.capped).toBe(true);
        expect(seconds(expiry)).toBe(7 * 86400);
      }
    });

    it('should not cap the maximum itself', () => {
      const expiry = resolveExpiry({ expires_in: 7 * 86400 }, LIMITS, NOW);
      expect(expiry.capped).toBe(false);
    });

    it.each([
      ['a string expires_in', { expires_in: '3600' }],
      ['a fractional expires_in', { expires_in: 1.5 }],
      ['zero', { expires_in: 0 }],
      ['a negative expires_in', { expires_in: -1 }],
      ['NaN', { expires_in: NaN }],
      ['infinity', { expires_in: Infinity }],
      ['a number expires_at', { expires_at: 1798736400 }],
      ['an expires_at without zone', { expires_at: '2026-12-31T17:00:00' }],
      ['a past expires_at', { expires_at: '2026-12-04T09:59:59Z' }],
      ['expires_at now', { expires_at: '2026-12-04T10:00:00Z' }],
      ['both', { expires_in: 60, expires_at: '2026-12-31T17:00:00Z' }],
      ['null', { expires_in: null }]
    ])('should refuse %s with an example', (_what, body) => {
      try {
        resolveExpiry(body, LIMITS, NOW);
        throw new Error('accepted');
      } catch (err) {
        expect(err).toBeInstanceOf(HttpError);
        expect((err as HttpError).status).toBe(400);
        expect((err as HttpError).message).toContain('2026-12-31T17:00:00Z');
      }
    });
  });
});
