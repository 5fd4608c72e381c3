/**
 * The link token format: round trip, and every way a token can be damaged,
 * forged or outlived, refused with the right fault.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';
import jwt from 'jsonwebtoken';

import { addKey, deriveKey, KeyRing, loadKeyRing, removeKey } from './keys';
import { linkErrorToHttp } from './linkErrors';
import {
  audienceFor,
  ILinkClaims,
  LinkError,
  LinkFault,
  mintLink,
  redeemLink
} from './links';

const AUDIENCE = audienceFor(
  'https://hub.example.org',
  '/services/share-link/'
);
const ISSUED = new Date('2026-12-04T10:00:00Z');
const EXPIRES = new Date('2026-12-05T10:00:00Z');
const CLAIMS: ILinkClaims = {
  sender: 'alice',
  server: 'analysis',
  path: 'project/my dir/a #1 ?x&y+z 50% ü.ipynb',
  environment: { image: 'image-b', share_link_image: 'demo/ds:2026.12' }
};

function ring(id = 'k1'): KeyRing {
  return new KeyRing([deriveKey(id, randomBytes(32))], id);
}

const keys = ring();

function mint(claims = CLAIMS, expiresAt = EXPIRES, now = ISSUED): string {
  return mintLink(keys, claims, expiresAt, { audience: AUDIENCE, now });
}

function redeem(token: string, now = ISSUED, keyRing = keys) {
  return redeemLink(keyRing, token, { audience: AUDIENCE, now });
}

/** The fault a token is refused with, or 'accepted'. */
function faultOf(
  token: string,
  now = ISSUED,
  keyRing = keys
): LinkFault | 'accepted' | 'crashed' {
  try {
    redeem(token, now, keyRing);
    return 'accepted';
  } catch (err) {
    return err instanceof LinkError ? err.fault : 'crashed';
  }
}

/** A token with the same claims, signed by `sign` and a header of ours. */
function resigned(
  token: string,
  header: Record<string, unknown>,
  sign: (input: string) => string
): string {
  const [, payload] = token.split('.');
  const head = Buffer.from(JSON.stringify(header)).toString('base64url');
  return `${head}.${payload}.${sign(`${head}.${payload}`)}`;
}

const ALPHABET =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('links', () => {
  describe('#mintLink() and #redeemLink()', () => {
    it('should give back the claims it was made with', () => {
      const link = redeem(mint());
      expect(link).toEqual(expect.objectContaining({ ...CLAIMS, keyId: 'k1' }));
      expect(link.expiresAt.toISOString()).toBe('2026-12-05T10:00:00.000Z');
      expect(link.issuedAt.toISOString()).toBe('2026-12-04T10:00:00.000Z');
      expect(link.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    });

    it('should reveal no claim in the readable parts of the token', () => {
      const token = mint();
      expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      const readable = token
        .split('.')
        .slice(0, 2)
        .map(part => Buffer.from(part, 'base64url').toString('utf8'))
        .join('');
      for (const secret of ['alice', 'analysis', 'project', 'image-b', 'ü']) {
        expect(readable).not.toContain(secret);
      }
    });

    it('should give each link its own id and ciphertext', () => {
      const first = mint();
      const second = mint();
      expect(first).not.toBe(second);
      expect(redeem(first).id).not.toBe(redeem(second).id);
    });
  });

  describe('damaged tokens', () => {
    const token = mint();

    it('should refuse every single-character change', () => {
      let tried = 0;
      for (let at = 0; at < token.length; at++) {
        for (const offset of [1, 17, 40]) {
          const index = ALPHABET.indexOf(token[at]);
          const replacement =
            index < 0
              ? ALPHABET[offset]
              : ALPHABET[(index + offset) % ALPHABET.length];
          const changed =
            token.slice(0, at) + replacement + token.slice(at + 1);
          expect([at, faultOf(changed)]).toEqual([
            at,
            expect.stringMatching(/^(altered|malformed|unknown_key)$/)
          ]);
          tried++;
        }
      }
      expect(tried).toBe(token.length * 3);
    });

    it.each([1, 2, 3])('should refuse the token cut by %i characters', n => {
      expect(faultOf(token.slice(0, -n))).toMatch(/altered|malformed/);
      expect(faultOf(token.slice(n))).toMatch(/altered|malformed/);
    });

    it.each(['=', '==', ' ', '%20', '.', '\n'])(
      'should refuse the token padded with %j',
      padding => {
        expect(faultOf(token + padding)).toMatch(/altered|malformed/);
        expect(faultOf(padding + token)).toMatch(/altered|malformed/);
      }
    );

    it('should refuse the token re-encoded', () => {
      const standard = token
        .split('.')
        .map(part => Buffer.from(part, 'base64url').toString('base64'))
        .join('.');
      const reencoded = [
        standard,
        encodeURIComponent(standard),
        Buffer.from(token).toString('base64url'),
        token.toUpperCase(),
        token.toLowerCase()
      ];
      for (const changed of reencoded) {
        expect(changed).not.toBe(token);
        expect(faultOf(changed)).toMatch(/altered|malformed|unknown_key/);
      }
    });

    it.each(['', '.', '..', 'a.b.c', 'not a token at all'])(
      'should refuse %j as malformed or altered',
      text => {
        expect(faultOf(text)).toMatch(/altered|malformed/);
      }
    );

    it('should refuse a token longer than any link', () => {
      expect(faultOf(token + 'A'.repeat(5000))).toBe('malformed');
    });
  });

  describe('forged tokens', () => {
    const token = mint();
    const key = keys.get('k1')!;

    it('should refuse alg none, signed or not', () => {
      const none = resigned(
        token,
        { alg: 'none', typ: 'JWT', kid: 'k1' },
        () => ''
      );
      expect(faultOf(none)).toBe('altered');
      const noneKeepingSignature = resigned(
        token,
        { alg: 'none', typ: 'JWT', kid: 'k1' },
        () => token.split('.')[2]
      );
      expect(faultOf(noneKeepingSignature)).toBe('altered');
    });

    it('should refuse HS512 even with the right key', () => {
      const payload = jwt.decode(token) as jwt.JwtPayload;
      const hs512 = jwt.sign(payload, key.sign, {
        algorithm: 'HS512',
        keyid: 'k1'
      });
      expect(faultOf(hs512)).toBe('altered');
    });

    it('should refuse RS256 with a key of its own', () => {
      const { privateKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048
      });
      const payload = jwt.decode(token) as jwt.JwtPayload;
      const rs256 = jwt.sign(payload, privateKey, {
        algorithm: 'RS256',
        keyid: 'k1'
      });
      expect(faultOf(rs256)).toBe('altered');
    });

    it('should refuse HS256 signed with another key of the same id', () => {
      const other = ring('k1');
      const forged = mintLink(other, CLAIMS, EXPIRES, {
        audience: AUDIENCE,
        now: ISSUED
      });
      expect(faultOf(forged)).toBe('altered');
    });

    it("should refuse another Hub's link (wrong audience)", () => {
      const foreign = mintLink(keys, CLAIMS, EXPIRES, {
        audience: audienceFor(
          'https://other.example.org',
          '/services/share-link/'
        ),
        now: ISSUED
      });
      expect(faultOf(foreign)).toBe('altered');
    });

    it('should refuse another issuer and claims it did not seal', () => {
      const payload = jwt.decode(token) as jwt.JwtPayload;
      const otherIssuer = jwt.sign({ ...payload, iss: 'someone' }, key.sign, {
        algorithm: 'HS256',
        keyid: 'k1'
      });
      expect(faultOf(otherIssuer)).toBe('altered');
      const openClaims = jwt.sign(
        {
          ...payload,
          c: Buffer.from(JSON.stringify(CLAIMS)).toString('base64url')
        },
        key.sign,
        { algorithm: 'HS256', keyid: 'k1' }
      );
      expect(faultOf(openClaims)).toBe('altered');
    });

    it('should refuse an unknown key id', () => {
      const otherId = resigned(
        token,
        { alg: 'HS256', typ: 'JWT', kid: 'retired' },
        () => token.split('.')[2]
      );
      expect(faultOf(otherId)).toBe('unknown_key');
      const noKid = resigned(
        token,
        { alg: 'HS256', typ: 'JWT' },
        () => token.split('.')[2]
      );
      expect(faultOf(noKid)).toBe('altered');
    });
  });

  describe('time', () => {
    const token = mint();
    const at = (offsetSeconds: number, from = EXPIRES) =>
      new Date(from.getTime() + offsetSeconds * 1000);

    it('should accept a link up to 60 s after its expiry (clock skew)', () => {
      expect(faultOf(token, at(-1))).toBe('accepted');
      expect(faultOf(token, at(59))).toBe('accepted');
      expect(faultOf(token, at(60))).toBe('accepted');
    });

    it('should refuse a link more than 60 s after its expiry', () => {
      expect(faultOf(token, at(61))).toBe('expired');
      expect(faultOf(token, at(86400 * 365))).toBe('expired');
    });

    it('should never tolerate more than 60 s, whatever is asked', () => {
      expect(() =>
        redeemLink(keys, token, {
          audience: AUDIENCE,
          now: at(120),
          clockToleranceSeconds: 600
        })
      ).toThrow(LinkError);
    });

    it('should say who made an expired link', () => {
      try {
        redeem(token, at(3600));
        throw new Error('accepted');
      } catch (err) {
        expect(err).toBeInstanceOf(LinkError);
        const refused = err as LinkError;
        expect(refused.expired?.sender).toBe('alice');
        const http = linkErrorToHttp(refused);
        expect(http.status).toBe(410);
        expect(http.message).toContain('Ask alice for a new link');
        expect(http.message).toContain('2026-12-05 10:00 UTC');
      }
    });

    it('should accept a verifier 30 s behind, refuse one 61 s behind', () => {
      expect(faultOf(token, at(-30, ISSUED))).toBe('accepted');
      expect(faultOf(token, at(-60, ISSUED))).toBe('accepted');
      expect(faultOf(token, at(-61, ISSUED))).toBe('not_yet_valid');
    });

    describe('in a far time zone (jest.config.js sets UTC+14)', () => {
      it('should keep the expiry exact in UTC', () => {
        // The zone really is in effect: UTC+14.
        expect(new Date('2030-01-01T00:00:00Z').getTimezoneOffset()).toBe(-840);
        const expiresAt = new Date(Date.UTC(2030, 0, 1, 0, 0, 0));
        const link = redeem(
          mint(CLAIMS, expiresAt, new Date(Date.UTC(2029, 11, 31))),
          new Date(Date.UTC(2029, 11, 31, 12))
        );
        expect(link.expiresAt.toISOString()).toBe('2030-01-01T00:00:00.000Z');
      });
    });
  });

  describe('keys', () => {
    let folder: string;
    let file: string;

    beforeEach(() => {
      folder = mkdtempSync(join(tmpdir(), 'share-link-keys-'));
      file = join(folder, 'keys.json');
    });

    afterEach(() => {
      rmSync(folder, { recursive: true, force: true });
    });

    it('should keep accepting links of an older key after rotation', () => {
      const first = addKey(file);
      const before = loadKeyRing(file);
      const old = mintLink(before, CLAIMS, EXPIRES, {
        audience: AUDIENCE,
        now: ISSUED
      });

      const second = addKey(file);
      const after = loadKeyRing(file);
      expect(after.active.id).toBe(second);
      const fresh = mintLink(after, CLAIMS, EXPIRES, {
        audience: AUDIENCE,
        now: ISSUED
      });
      expect(redeem(old, ISSUED, after).keyId).toBe(first);
      expect(redeem(fresh, ISSUED, after).keyId).toBe(second);

      removeKey(file, first);
      const retired = loadKeyRing(file);
      expect(faultOf(old, ISSUED, retired)).toBe('unknown_key');
      expect(faultOf(fresh, ISSUED, retired)).toBe('accepted');
      const http = linkErrorToHttp(new LinkError('unknown_key', 'retired'));
      expect([http.status, http.code]).toEqual([410, 'link_unknown_key']);
      expect(http.message).toContain('key that was retired');
    });
  });

  describe('property: mutated tokens', () => {
    const RUNS = 6000;
    const token = mint();

    type Mutation =
      | { kind: 'replace'; at: number; char: string }
      | { kind: 'delete'; at: number; length: number }
      | { kind: 'insert'; at: number; text: string }
      | { kind: 'swapParts'; first: number; second: number }
      | { kind: 'duplicatePart'; part: number };

    const position = fc.nat({ max: token.length - 1 });
    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
      fc.record({
        kind: fc.constant('replace' as const),
        at: position,
        char: fc.constantFrom(...(ALPHABET + '.=+/ %').split(''))
      }),
      fc.record({
        kind: fc.constant('delete' as const),
        at: position,
        length: fc.integer({ min: 1, max: 8 })
      }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: position,
        text: fc.string({ minLength: 1, maxLength: 4 })
      }),
      fc.record({
        kind: fc.constant('swapParts' as const),
        first: fc.nat({ max: 2 }),
        second: fc.nat({ max: 2 })
      }),
      fc.record({
        kind: fc.constant('duplicatePart' as const),
        part: fc.nat({ max: 2 })
      })
    );

    function apply(text: string, m: Mutation): string {
      const parts = text.split('.');
      switch (m.kind) {
        case 'replace':
          return text.slice(0, m.at) + m.char + text.slice(m.at + 1);
        case 'delete':
          return text.slice(0, m.at) + text.slice(m.at + m.length);
        case 'insert':
          return text.slice(0, m.at) + m.text + text.slice(m.at);
        case 'swapParts':
          [parts[m.first], parts[m.second]] = [parts[m.second], parts[m.first]];
          return parts.join('.');
        case 'duplicatePart':
          parts.splice(m.part, 0, parts[m.part]);
          return parts.join('.');
      }
    }

    it(`should accept none of ${RUNS} mutated tokens, and never crash`, () => {
      let refused = 0;
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), ms => {
          const changed = ms.reduce(apply, token);
          fc.pre(changed !== token);
          const fault = faultOf(changed);
          if (fault === 'accepted' || fault === 'crashed') {
            return false;
          }
          refused++;
          return true;
        }),
        { numRuns: RUNS, seed: 20261204 }
      );
      process.stdout.write(`mutated tokens refused: ${refused}\n`);
      expect(refused).toBeGreaterThanOrEqual(5000);
    });
  });
});
