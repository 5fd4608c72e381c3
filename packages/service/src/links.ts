/**
 * Share-link tokens: a JWT (HS256, key id in the header, algorithm pinned
 * at verification) whose claims carry, encrypted with AES-256-GCM, who
 * shared which file from which server in which environment. The link
 * reveals nothing about the sender's folders; a changed character makes
 * the signature fail.
 */
import { createHash, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';

import { IKey, KeyRing } from './keys';
import { openJson, sealJson } from './sealing';

/** What a link gives: the sender's file, server and environment. */
export interface ILinkClaims {
  /** The sender's Hub user name. */
  sender: string;
  /** The sender's server name (`''`: the default server). */
  server: string;
  /** The file's path below the sender's server root. */
  path: string;
  /** The sender's server's spawn options (its environment). */
  environment: Record<string, unknown>;
}

/** A verified link. */
export interface ILink extends ILinkClaims {
  /** The link's unique id. */
  id: string;
  /** The key id it was signed with. */
  keyId: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** Why a token was refused. */
export type LinkFault =
  'malformed' | 'altered' | 'unknown_key' | 'expired' | 'not_yet_valid';

/** A refused token. */
export class LinkError extends Error {
  constructor(
    readonly fault: LinkFault,
    message: string,
    /** For an expired link: what it was (it was genuine). */
    readonly expired?: ILink
  ) {
    super(message);
    this.name = 'LinkError';
  }
}

/** Settings of token minting and checking. */
export interface ILinkOptions {
  /** Identifies this Hub's share-link service: tokens of others fail. */
  audience: string;
  /** Allowed clock difference, in seconds (at most 60). */
  clockToleranceSeconds?: number;
  /** The current time. */
  now?: Date;
}

const ISSUER = 'share-link';
const ALGORITHM = 'HS256';
/** Tokens longer than this are refused before any parsing. */
const MAX_TOKEN_LENGTH = 4096;

/** A short, stable audience string for a Hub's share-link service. */
export function audienceFor(publicUrl: string, servicePrefix: string): string {
  return createHash('sha256')
    .update(`${publicUrl}${servicePrefix}`)
    .digest('base64url')
    .slice(0, 16);
}

/** Make a token for `claims`, valid until `expiresAt`. */
export function mintLink(
  keys: KeyRing,
  claims: ILinkClaims,
  expiresAt: Date,
  options: ILinkOptions
): string {
  const key = keys.active;
  const id = randomBytes(12).toString('base64url');
  const now = options.now ?? new Date();
  const sealed = seal(key, id, {
    u: claims.sender,
    s: claims.server,
    p: claims.path,
    e: claims.environment
  });
  return jwt.sign(
    {
      iat: Math.floor(now.getTime() / 1000),
      exp: Math.floor(expiresAt.getTime() / 1000),
      jti: id,
      c: sealed
    },
    key.sign,
    {
      algorithm: ALGORITHM,
      keyid: key.id,
      issuer: ISSUER,
      audience: options.audience
    }
  );
}

/**
 * Check a token and open its claims.
 *
 * @throws LinkError: `malformed` (incomplete or not a token), `altered`
 *   (signature, algorithm, issuer or audience wrong), `unknown_key` (made
 *   with a key this service no longer accepts), `not_yet_valid` (issued
 *   more than the clock tolerance in the future) or `expired` (genuine, but
 *   past its expiry; the error carries the link).
 */
export function redeemLink(
  keys: KeyRing,
  token: string,
  options: ILinkOptions
): ILink {
  if (!token || token.length > MAX_TOKEN_LENGTH) {
    throw new LinkError('malformed', 'the link is incomplete');
  }
  let decoded: jwt.Jwt | null;
  try {
    decoded = jwt.decode(token, { complete: true });
  } catch {
    // jws parses the payload of a `typ: JWT` token without catching.
    decoded = null;
  }
  if (!decoded || typeof decoded.payload === 'string') {
    throw new LinkError('malformed', 'the link is incomplete or altered');
  }
  const keyId = decoded.header.kid;
  if (decoded.header.alg !== ALGORITHM || typeof keyId !== 'string') {
    throw new LinkError('altered', 'the link was altered');
  }
  const key = keys.get(keyId);
  if (!key) {
    throw new LinkError(
      'unknown_key',
      'the link was made with a key this Hub no longer accepts'
    );
  }

  const tolerance = Math.min(options.clockToleranceSeconds ?? 60, 60);
  const now = options.now ?? new Date();
  let payload: jwt.JwtPayload;
  try {
    const verified = jwt.verify(token, key.sign, {
      algorithms: [ALGORITHM],
      issuer: ISSUER,
      audience: options.audience,
      clockTimestamp: Math.floor(now.getTime() / 1000),
      clockTolerance: tolerance,
      // Expiry is checked below, so an expired link can still say who
      // made it (the signature has been checked by then).
      ignoreExpiration: true
    });
    if (typeof verified === 'string') {
      throw new Error('not a JSON payload');
    }
    payload = verified;
  } catch {
    throw new LinkError('altered', 'the link was altered');
  }

  const link = openPayload(key, keyId, payload);
  if (now.getTime() < link.issuedAt.getTime() - tolerance * 1000) {
    throw new LinkError(
      'not_yet_valid',
      'the link was issued in the future: the clocks disagree'
    );
  }
  if (now.getTime() > link.expiresAt.getTime() + tolerance * 1000) {
    throw new LinkError('expired', 'the link has expired', link);
  }
  return link;
}

function openPayload(key: IKey, keyId: string, payload: jwt.JwtPayload): ILink {
  const { jti, iat, exp, c } = payload;
  if (
    typeof jti !== 'string' ||
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    typeof c !== 'string'
  ) {
    throw new LinkError('altered', 'the link was altered');
  }
  const claims = unseal(key, jti, c);
  return {
    ...claims,
    id: jti,
    keyId,
    issuedAt: new Date(iat * 1000),
    expiresAt: new Date(exp * 1000)
  };
}

/** Encrypt the claims; the link id is bound in as associated data. */
function seal(key: IKey, id: string, inner: Record<string, unknown>): string {
  return sealJson(key.encrypt, id, inner);
}

function unseal(key: IKey, id: string, sealed: string): ILinkClaims {
  const altered = () => new LinkError('altered', 'the link was altered');
  const inner = openJson(key.encrypt, id, sealed);
  if (!inner) {
    throw altered();
  }
  const { u, s, p, e } = inner;
  if (
    typeof u !== 'string' ||
    typeof s !== 'string' ||
    typeof p !== 'string' ||
    typeof e !== 'object' ||
    e === null ||
    Array.isArray(e)
  ) {
    throw altered();
  }
  return {
    sender: u,
    server: s,
    path: p,
    environment: e as Record<string, unknown>
  };
}
