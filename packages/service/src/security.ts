/**
 * Protections every request gets: security headers, a bounded JSON body,
 * and per-user rate limits with a clear reply when one is hit.
 */
import express from 'express';

import { IRateLimit } from './config';
import { HttpError } from './errors';

/**
 * The Content-Security-Policy of every reply: the service's pages load
 * scripts, styles and images from the service only, post forms only to the
 * Hub's origin, and are never framed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'"
].join('; ');

/**
 * Middleware setting the security headers on every reply. Replies are not
 * cached (`no-store`): API answers and link pages are per user, and a link
 * page's address carries the token. Static assets may set their own
 * Cache-Control after this.
 */
export function securityHeaders(): express.RequestHandler {
  return (_req, res, next) => {
    res.set({
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      // A link page's URL holds the token: never send it to another site.
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cache-Control': 'no-store'
    });
    next();
  };
}

/**
 * A JSON body parser with a size limit. Bodies of another type are left
 * unparsed (`req.body` stays undefined), so routes refuse them.
 */
export function jsonBody(limitBytes: number): express.RequestHandler {
  return express.json({ limit: limitBytes, type: 'application/json' });
}

/** The outcome of {@link TokenBucketLimiter.take}. */
export interface IRateDecision {
  allowed: boolean;
  /** When refused: whole seconds until one request is allowed again. */
  retryAfterSeconds: number;
}

/**
 * Per-key token buckets: each key may make `limit` requests at once, and
 * regains `limit` per `windowSeconds`, one at a time.
 *
 * Kept in memory: with several replicas of the service, each replica limits
 * on its own, so a user may get up to (replicas x limit) per window. A
 * shared store (Redis, the Hub's database) would make the limit global.
 */
export class TokenBucketLimiter {
  constructor(
    readonly rate: IRateLimit,
    private readonly _maxKeys = 10000
  ) {
    this._perSecond = rate.limit / rate.windowSeconds;
  }

  /** Take one request for `key` at `now` (ms), if its bucket allows it. */
  take(key: string, now: number = Date.now()): IRateDecision {
    const bucket = this._refilled(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this._buckets.set(key, bucket);
      return { allowed: true, retryAfterSeconds: 0 };
    }
    this._buckets.set(key, bucket);
    return {
      allowed: false,
      retryAfterSeconds: Math.max(
        1,
        Math.ceil((1 - bucket.tokens) / this._perSecond)
      )
    };
  }

  /** How many buckets are held (for tests and metrics). */
  get size(): number {
    return this._buckets.size;
  }

  private _refilled(key: string, now: number): IBucket {
    const bucket = this._buckets.get(key);
    if (!bucket) {
      if (this._buckets.size >= this._maxKeys) {
        this._forgetFullBuckets(now);
      }
      return { tokens: this.rate.limit, updated: now };
    }
    const elapsed = Math.max(0, now - bucket.updated) / 1000;
    return {
      tokens: Math.min(
        this.rate.limit,
        bucket.tokens + elapsed * this._perSecond
      ),
      updated: now
    };
  }

  /** Buckets that have refilled completely hold nothing worth keeping. */
  private _forgetFullBuckets(now: number): void {
    for (const [key, bucket] of this._buckets) {
      const elapsed = Math.max(0, now - bucket.updated) / 1000;
      if (bucket.tokens + elapsed * this._perSecond >= this.rate.limit) {
        this._buckets.delete(key);
      }
    }
    if (this._buckets.size >= this._maxKeys) {
      // Everyone is busy: forget the oldest half rather than grow forever.
      const keys = [...this._buckets.keys()];
      for (const key of keys.slice(0, keys.length / 2)) {
        this._buckets.delete(key);
      }
    }
  }

  private _perSecond: number;
  private _buckets = new Map<string, IBucket>();
}

interface IBucket {
  tokens: number;
  /** When `tokens` was last computed, in ms. */
  updated: number;
}

/**
 * Count one request of `user` against `limiter`.
 *
 * @param what - what the user is doing, for the message ("create links").
 * @throws HttpError 429 `rate_limited`, with Retry-After, when the user has
 *   made too many requests.
 */
export function enforceRateLimit(
  limiter: TokenBucketLimiter,
  user: string,
  what: string
): void {
  const decision = limiter.take(user);
  if (decision.allowed) {
    return;
  }
  const { limit, windowSeconds } = limiter.rate;
  throw new HttpError(
    429,
    'rate_limited',
    `You can ${what} at most ${limit} times in ${describeSeconds(
      windowSeconds
    )}. Try again in ${describeSeconds(decision.retryAfterSeconds)}.`
  ).withRetryAfter(decision.retryAfterSeconds);
}

/** `90` -> `1 minute 30 seconds`, for messages. */
export function describeSeconds(seconds: number): string {
  const parts: string[] = [];
  const units: Array<[string, number]> = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
    ['second', 1]
  ];
  let rest = Math.round(seconds);
  for (const [name, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count} ${name}${count === 1 ? '' : 's'}`);
      rest -= count * size;
    }
  }
  return parts.length ? parts.slice(0, 2).join(' ') : '0 seconds';
}
