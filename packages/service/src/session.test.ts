import { deriveKey, KeyRing } from './keys';
import {
  checkCsrfToken,
  csrfToken,
  openCookie,
  openSession,
  parseCookies,
  sealCookie,
  sealSession,
  serializeCookie
} from './session';

const key = (id: string) => deriveKey(id, Buffer.alloc(32, id));

describe('session', () => {
  const old = key('old');
  const current = key('new');
  const keys = new KeyRing([old, current], 'new');
  const session = {
    user: 'bob',
    token: 'secret-token',
    csrfSecret: 'x'.repeat(43)
  };

  describe('#openSession()', () => {
    it('should open a session it sealed', () => {
      expect(openSession(keys, sealSession(keys, session, 60))).toEqual(
        session
      );
    });

    it('should refuse a tampered cookie', () => {
      const sealed = sealSession(keys, session, 60);
      const i = sealed.length - 10;
      const tampered =
        sealed.slice(0, i) +
        (sealed[i] === 'A' ? 'B' : 'A') +
        sealed.slice(i + 1);
      expect(openSession(keys, tampered)).toBeUndefined();
      expect(openSession(keys, sealed.slice(0, -3))).toBeUndefined();
      expect(openSession(keys, '')).toBeUndefined();
    });

    it('should refuse an expired cookie', () => {
      const sealed = sealSession(keys, session, 60, Date.now() - 120000);
      expect(openSession(keys, sealed)).toBeUndefined();
    });

    it('should refuse a cookie made for another purpose', () => {
      const state = sealCookie(
        keys,
        'oauth-state',
        { u: 'bob', t: 't', c: 'c' },
        60
      );
      expect(openSession(keys, state)).toBeUndefined();
    });

    it('should accept a cookie of an older key still in the ring', () => {
      const before = new KeyRing([old], 'old');
      const sealed = sealSession(before, session, 60);
      expect(openSession(keys, sealed)).toEqual(session);
      expect(
        openSession(new KeyRing([current], 'new'), sealed)
      ).toBeUndefined();
    });

    it('should never carry the token in clear', () => {
      expect(sealSession(keys, session, 60)).not.toContain('secret-token');
    });
  });

  describe('#checkCsrfToken()', () => {
    it('should accept the token of the session and link only', () => {
      const token = csrfToken(session, 'link-1');
      expect(checkCsrfToken(session, 'link-1', token)).toBe(true);
      expect(checkCsrfToken(session, 'link-2', token)).toBe(false);
      const other = { ...session, csrfSecret: 'y'.repeat(43) };
      expect(checkCsrfToken(other, 'link-1', token)).toBe(false);
      expect(checkCsrfToken(session, 'link-1', undefined)).toBe(false);
      expect(checkCsrfToken(session, 'link-1', ['x'])).toBe(false);
    });
  });

  describe('#serializeCookie()', () => {
    it('should scope cookies and mark them HttpOnly, Lax and Secure on https', () => {
      const line = serializeCookie('n', 'v', {
        path: '/services/share-link/',
        secure: true,
        maxAgeSeconds: 60
      });
      expect(line).toBe(
        'n=v; Path=/services/share-link/; Max-Age=60; HttpOnly; SameSite=Lax; Secure'
      );
      expect(
        serializeCookie('n', 'v', {
          path: '/',
          secure: false,
          maxAgeSeconds: 0
        })
      ).not.toContain('Secure');
    });
  });

  describe('#parseCookies()', () => {
    it('should read cookies by name, the first of two winning', () => {
      const cookies = parseCookies('a=1; b="2"; a=3; junk');
      expect(cookies.get('a')).toBe('1');
      expect(cookies.get('b')).toBe('2');
    });
  });

  it('should open nothing from garbage', () => {
    expect(openCookie(keys, 'session', 'new.AAAA')).toBeUndefined();
    expect(openCookie(keys, 'session', 'nokey')).toBeUndefined();
  });
});
