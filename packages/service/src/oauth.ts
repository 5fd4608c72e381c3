/**
 * The service as an OAuth client of the Hub, for people opening links in a
 * browser: authorization code with state and PKCE (S256).
 *
 * JupyterHub 6 checks the PKCE verifier; JupyterHub 5 ignores the challenge
 * and the verifier, so the same requests work on both. The state, the
 * verifier and where to go back to live in a short-lived sealed cookie,
 * never in memory, so any replica can finish a login another one began.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { IConfig } from './config';
import { HttpError } from './errors';
import { isRecord } from './hub';
import { KeyRing } from './keys';
import { STATE_COOKIE_PREFIX, openCookie, sealCookie } from './session';

/** How long a login may take, from the link to the callback, in seconds. */
export const LOGIN_STATE_SECONDS = 600;

/** A login about to begin: where to send the browser, and the cookie. */
export interface ILoginStart {
  /** The Hub's authorize URL (a path on the Hub's origin). */
  authorizeUrl: string;
  /** Name of the state cookie to set. */
  cookieName: string;
  /** The sealed state cookie's value. */
  cookieValue: string;
}

/** What a finished login's state cookie said. */
export interface ILoginState {
  /** The PKCE verifier. */
  verifier: string;
  /** The path under the service prefix to go back to. */
  returnPath: string;
}

/**
 * Whether `path` is a safe place to send the browser back to after login:
 * a plain path under the service prefix, never a full URL, never `//`.
 */
export function isSafeReturnPath(path: unknown, prefix: string): boolean {
  return (
    typeof path === 'string' &&
    path.length <= 4096 &&
    path.startsWith(prefix) &&
    prefix.startsWith('/') &&
    !path.includes('//') &&
    !path.includes('\\') &&
    // Printable ASCII only: anything else must arrive percent-encoded.
    /^[\x21-\x7e]+$/.test(path) &&
    !path.split(/[/?#]/).some(segment => segment === '..' || segment === '.')
  );
}

/** The cookie name for a state: its first characters keep logins apart. */
export function stateCookieName(state: string): string {
  return STATE_COOKIE_PREFIX + state.slice(0, 10);
}

/**
 * Begin a login: a fresh state and PKCE verifier, sealed into a cookie
 * with the path to return to, and the Hub's authorize URL.
 *
 * @throws Error when `returnPath` is not a safe return path (a bug).
 */
export function beginLogin(
  config: IConfig,
  keys: KeyRing,
  returnPath: string
): ILoginStart {
  if (!isSafeReturnPath(returnPath, config.servicePrefix)) {
    throw new Error('refusing an unsafe return path');
  }
  const state = randomBytes(24).toString('base64url');
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  const query = new URLSearchParams({
    client_id: config.oauthClientId,
    redirect_uri: config.oauthCallbackUrl,
    response_type: 'code',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256'
  });
  return {
    authorizeUrl: `${config.hubBaseUrl}hub/api/oauth2/authorize?${query}`,
    cookieName: stateCookieName(state),
    cookieValue: sealCookie(
      keys,
      'oauth-state',
      { s: state, v: verifier, r: returnPath },
      LOGIN_STATE_SECONDS
    )
  };
}

/** A login that cannot be finished: start again from the link. */
function loginFailed(detail: string): HttpError {
  return new HttpError(
    400,
    'login_failed',
    `Logging in through the Hub did not complete (${detail}). Open the` +
      ' share link again to log in once more.',
    'Login did not complete'
  );
}

/**
 * Check the state the Hub sent back against the state cookie.
 *
 * @throws HttpError 400 when the cookie is missing, altered, expired or
 *   for another state, or its return path is unsafe.
 */
export function checkLoginState(
  config: IConfig,
  keys: KeyRing,
  state: unknown,
  cookieValue: string | undefined,
  now = Date.now()
): ILoginState {
  if (typeof state !== 'string' || state.length < 16 || state.length > 100) {
    throw loginFailed('the Hub sent back no valid state');
  }
  const record = openCookie(keys, 'oauth-state', cookieValue, now);
  if (!record) {
    throw loginFailed('the login took too long or its cookie is missing');
  }
  const expected = Buffer.from(typeof record.s === 'string' ? record.s : '');
  const given = Buffer.from(state);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw loginFailed('the state does not match');
  }
  if (
    typeof record.v !== 'string' ||
    !isSafeReturnPath(record.r, config.servicePrefix)
  ) {
    throw loginFailed('the login state is incomplete');
  }
  return { verifier: record.v, returnPath: record.r as string };
}

/** An access token the Hub issued. */
export interface IAccessToken {
  token: string;
  /** Seconds until it expires, when the Hub says. */
  expiresIn?: number;
}

/**
 * Exchange an authorization code for an access token at the Hub.
 *
 * @throws HttpError 400 when the Hub refuses the code, 502 when the Hub
 *   cannot be reached.
 */
export async function exchangeCode(
  config: IConfig,
  code: unknown,
  verifier: string
): Promise<IAccessToken> {
  if (typeof code !== 'string' || !code || code.length > 1000) {
    throw loginFailed('the Hub sent back no code');
  }
  const body = new URLSearchParams({
    client_id: config.oauthClientId,
    client_secret: config.apiToken,
    grant_type: 'authorization_code',
    code,
    redirect_uri: config.oauthCallbackUrl,
    code_verifier: verifier
  });
  let res: Response;
  try {
    res = await fetch(`${config.hubApiUrl}oauth2/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json'
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(15000)
    });
  } catch {
    throw new HttpError(
      502,
      'hub_unreachable',
      'The share-link service cannot reach the Hub to finish your login.' +
        ' Try again in a minute; if it keeps failing, tell your Hub admin.'
    );
  }
  let reply: unknown;
  try {
    reply = await res.json();
  } catch {
    reply = undefined;
  }
  if (
    res.status !== 200 ||
    !isRecord(reply) ||
    typeof reply.access_token !== 'string'
  ) {
    throw loginFailed(`the Hub refused the login code (${res.status})`);
  }
  return {
    token: reply.access_token,
    expiresIn:
      typeof reply.expires_in === 'number' && reply.expires_in > 0
        ? reply.expires_in
        : undefined
  };
}
