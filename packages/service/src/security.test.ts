/** Rate limits and security headers. */
import express from 'express';

import { HttpError } from './errors';
import {
  CONTENT_SECURITY_POLICY,
  describeSeconds,
  enforceRateLimit,
  securityHeaders,
  TokenBucketLimiter
} from './security';

describe('security', () => {
  describe('TokenBucketLimiter', () => {
    describe('#take()', () => {
      it('should allow a burst up to the limit, then refuse', () => {
        const limiter = new TokenBucketLimiter({ limit: 3, windowSeconds: 60 });
        const at = 1_000_000;
        expect(
          [1, 2, 3, 4].map(() => limiter.take('alice', at).allowed)
        ).toEqual([true, true, true, false]);
        // One request comes back every 20 s.
        expect(limiter.take('alice', at).retryAfterSeconds).toBe(20);
      });

      it('should refill one request at a time', () => {
        const limiter = new TokenBucketLimiter({ limit: 3, windowSeconds: 60 });
        const at = 1_000_000;
        for (let i = 0; i < 3; i++) {
          limiter.take('alice', at);
        }
        expect(limiter.take('alice', at + 19_000).allowed).toBe(false);
        expect(limiter.take('alice', at + 21_000).allowed).toBe(true);
        expect(limiter.take('alice', at + 21_000).allowed).toBe(false);
        // Never more than the limit, however long the user waited.
        const later = at + 3_600_000;
        expect(
          [1, 2, 3, 4].map(() => limiter.take('alice', later).allowed)
        ).toEqual([true, true, true, false]);
      });

      it('should keep users apart', () => {
        const limiter = new TokenBucketLimiter({ limit: 1, windowSeconds: 60 });
        expect(limiter.take('alice', 0).allowed).toBe(true);
        expect(limiter.take('alice', 0).allowed).toBe(false);
        expect(limiter.take('bob', 0).allowed).toBe(true);
      });

      it('should not grow without bound', () => {
        const limiter = new TokenBucketLimiter(
          { limit: 1, windowSeconds: 60 },
          100
        );
        for (let i = 0; i < 1000; i++) {
          limiter.take(`user-${i}`, i);
        }
        expect(limiter.size).toBeLessThanOrEqual(100);
      });
    });
  });

  describe('#enforceRateLimit()', () => {
    it('should refuse with 429, Retry-After and a clear message', () => {
      const limiter = new TokenBucketLimiter({ limit: 2, windowSeconds: 60 });
      enforceRateLimit(limiter, 'alice', 'create links');
      enforceRateLimit(limiter, 'alice', 'create links');
      try {
        enforceRateLimit(limiter, 'alice', 'create links');
        throw new Error('allowed');
      } catch (err) {
        expect(err).toBeInstanceOf(HttpError);
        const error = err as HttpError;
        expect([error.status, error.code]).toEqual([429, 'rate_limited']);
        expect(error.retryAfter).toBeGreaterThanOrEqual(29);
        expect(error.message).toMatch(
          /^You can create links at most 2 times in 1 minute\. Try again in \d+ seconds\.$/
        );
      }
    });
  });

  describe('#describeSeconds()', () => {
    it.each([
      [1, '1 second'],
      [90, '1 minute 30 seconds'],
      [3600, '1 hour'],
      [30 * 86400, '30 days'],
      [86400 + 3600 + 1, '1 day 1 hour']
    ])('should say %i as %j', (seconds, text) => {
      expect(describeSeconds(seconds)).toBe(text);
    });
  });

  describe('#securityHeaders()', () => {
    it('should set the headers on every reply, errors included', async () => {
      const app = express();
      app.use(securityHeaders());
      app.get('/page', (_req, res) => {
        res.send('<p>hi</p>');
      });
      app.get('/missing', (_req, res) => {
        res.status(404).json({ error: { code: 'not_found', message: 'no' } });
      });
      const server = app.listen(0, '127.0.0.1');
      await new Promise(resolve => server.once('listening', resolve));
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      try {
        for (const path of ['/page', '/missing']) {
          const res = await fetch(`http://127.0.0.1:${port}${path}`);
          expect(res.headers.get('Content-Security-Policy')).toBe(
            CONTENT_SECURITY_POLICY
          );
          expect(res.headers.get('X-Frame-Options')).toBe('DENY');
          expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
          expect(res.headers.get('Referrer-Policy')).toBe('no-referrer');
          expect(res.headers.get('Cache-Control')).toBe('no-store');
        }
      } finally {
        server.close();
      }
    });

    it('should forbid inline scripts, framing and foreign forms', () => {
      expect(CONTENT_SECURITY_POLICY).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self';" +
          " img-src 'self'; connect-src 'self'; form-action 'self';" +
          " frame-ancestors 'none'; base-uri 'none'"
      );
    });
  });
});
