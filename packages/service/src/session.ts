/**
 * Cookies of the recipient's browser: the login session and the short-lived
 * OAuth state, both sealed with AES-256-GCM under the cookie key.
 *
 * Nothing is kept in memory between requests, so any replica can read any
 * cookie. The sealed value names the key it was made with, so cookies made
 * before a key rotation stay readable while that key is accepted.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { KeyRing } from './keys';
import { openJson, sealJson } from './sealing';

/** The recipient's login: who they are and their Hub access token. */
export interface ISession {
  /** The Hub user name. */
  user: string;
  /** The user's OAuth access token for the Hub (secret). */
  token: string;
  /** A random secret the CSRF tokens of this session are derived from. */
  csrfSecret: string;
}

/** Names of the service's cookies. */
export const SESSION_COOKIE = 'share-link-session';
/** Prefix of the OAuth state cookies; the state's id follows it. */
export const STATE_COOKIE_PREFIX = 'share-link-oauth-';

/** Attributes of a cookie the service sets. */
export interface ICookieOptions {
  /** The path it is scoped to (the service prefix). */
  path: string;
  /** Whether to mark it `Secure` (the public URL is https). */
  secure: boolean;
  /** Lifetime in seconds; 0 deletes the cookie. */
  maxAgeSeconds: number;
}

/**
 * Seal `payload` for a cookie: JSON with an expiry, encrypted and
 * authenticated, bound to `purpose` so one kind of cookie cannot stand in
 * for another.
 */
export function sealCookie(
  keys: KeyRing,
  purpose: string,
  payload: Record<string, unknown>,
  lifetimeSeconds: number,
  now = Date.now()
): string {
  const key = keys.active;
  const sealed = sealJson(key.cookie, `${purpose}:${key.id}`, {
    ...payload,
    exp: Math.floor(now / 1000) + lifetimeSeconds
  });
  return `${key.id}.${sealed}`;
}

/**
 * Open a sealed cookie value, or undefined when it is missing, altered,
 * made for another purpose, made with a key no longer accepted, or expired.
 */
export function openCookie(
  keys: KeyRing,
  purpose: string,
  value: string | undefined,
  now = Date.now()
): Record<string, unknown> | undefined {
  if (!value || value.length > 8192) {
    return undefined;
  }
  const dot = value.indexOf('.');
  const key = dot > 0 ? keys.get(value.slice(0, dot)) : undefined;
  if (!key) {
    return undefined;
  }
  const record = openJson(
    key.cookie,
    `${purpose}:${key.id}`,
    value.slice(dot + 1)
  );
  if (!record) {
    return undefined;
  }
  if (typeof record.exp !== 'number' || record.exp * 1000 <= now) {
    return undefined;
  }
  return record;
}

/** Seal a session for its cookie. */
export function sealSession(
  keys: KeyRing,
  session: ISession,
  lifetimeSeconds: number,
  now = Date.now()
): string {
  return sealCookie(
    keys,
    'session',
    { u: session.user, t: session.token, c: session.csrfSecret },
    lifetimeSeconds,
    now
  );
}

/** The session in a cookie value, or undefined if it is not a valid one. */
export function openSession(
  keys: KeyRing,
  value: string | undefined,
  now = Date.now()
): ISession | undefined {
  const record = openCookie(keys, 'session', value, now);
  if (
    !record ||
    typeof record.u !== 'string' ||
    typeof record.t !== 'string' ||
    typeof record.c !== 'string'
  ) {
    return undefined;
  }
  return { user: record.u, token: record.t, csrfSecret: record.c };
}

/** A fresh random CSRF secret for a new session. */
export function newCsrfSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The CSRF token a form must send to act on link `linkId` in this session:
 * an HMAC of the session's secret, so no other page can know it.
 */
export function csrfToken(session: ISession, linkId: string): string {
  return createHmac('sha256', session.csrfSecret)
    .update(`open-link:${linkId}`)
    .digest('base64url');
}

/** Whether `candidate` is the CSRF token of this session and link. */
export function checkCsrfToken(
  session: ISession,
  linkId: string,
  candidate: unknown
): boolean {
  if (typeof candidate !== 'string' || candidate.length > 200) {
    return false;
  }
  const expected = Buffer.from(csrfToken(session, linkId));
  const given = Buffer.from(candidate);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The cookies of a request's `Cookie` header, by name. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) {
      continue;
    }
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    }
    // The first of two cookies with one name is the more specific one.
    if (name && !cookies.has(name)) {
      cookies.set(name, value);
    }
  }
  return cookies;
}

/**
 * A `Set-Cookie` header value: always HttpOnly and SameSite=Lax, scoped to
 * the service's path, Secure over https.
 */
export function serializeCookie(
  name: string,
  value: string,
  options: ICookieOptions
): string {
  const parts = [
    `${name}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Lax'
  ];
  if (options.secure) {
    parts.push('Secure');
  }
  return parts.join('; ');
}
