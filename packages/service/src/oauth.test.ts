import { createHash } from 'node:crypto';

import { IConfig } from './config';
import { deriveKey, KeyRing } from './keys';
import { beginLogin, checkLoginState, isSafeReturnPath } from './oauth';
import { sealCookie } from './session';

const prefix = '/jhub/services/share-link/';
const config = {
  servicePrefix: prefix,
  hubBaseUrl: '/jhub/',
  oauthClientId: 'service-share-link',
  oauthCallbackUrl: `${prefix}oauth_callback`
} as IConfig;
const keys = new KeyRing([deriveKey('k', Buffer.alloc(32, 1))], 'k');

describe('oauth', () => {
  describe('#isSafeReturnPath()', () => {
    it.each([
      [`${prefix}l/abc.def-ghi_jkl`, true],
      [prefix, true],
      ['https://evil.example/', false],
      ['//evil.example/x', false],
      [`${prefix}l//evil.example`, false],
      [`${prefix}../../hub/admin`, false],
      [`${prefix}l/x\\y`, false],
      ['/jhub/hub/home', false],
      [`${prefix}l/ü`, false],
      [`${prefix}l/a b`, false],
      [undefined, false]
    ])('%s should be safe: %s', (path, safe) => {
      expect(isSafeReturnPath(path, prefix)).toBe(safe);
    });
  });

  describe('#beginLogin()', () => {
    it('should send the browser to the Hub with state and an S256 challenge', () => {
      const login = beginLogin(config, keys, `${prefix}l/token`);
      const url = new URL(login.authorizeUrl, 'http://hub.example');
      expect(url.pathname).toBe('/jhub/hub/api/oauth2/authorize');
      const q = url.searchParams;
      expect(q.get('client_id')).toBe('service-share-link');
      expect(q.get('redirect_uri')).toBe(`${prefix}oauth_callback`);
      expect(q.get('response_type')).toBe('code');
      expect(q.get('code_challenge_method')).toBe('S256');

      const state = checkLoginState(
        config,
        keys,
        q.get('state'),
        login.cookieValue
      );
      expect(state.returnPath).toBe(`${prefix}l/token`);
      expect(
        createHash('sha256').update(state.verifier).digest('base64url')
      ).toBe(q.get('code_challenge'));
    });

    it('should refuse to begin with an unsafe return path', () => {
      expect(() => beginLogin(config, keys, '//evil.example/')).toThrow();
    });
  });

  describe('#checkLoginState()', () => {
    const login = beginLogin(config, keys, `${prefix}l/token`);
    const state = new URL(login.authorizeUrl, 'http://h').searchParams.get(
      'state'
    );

    it('should refuse another state', () => {
      expect(() =>
        checkLoginState(config, keys, 'x'.repeat(32), login.cookieValue)
      ).toThrow(expect.objectContaining({ status: 400 }));
    });

    it('should refuse an expired state', () => {
      expect(() =>
        checkLoginState(
          config,
          keys,
          state,
          login.cookieValue,
          Date.now() + 3600e3
        )
      ).toThrow(expect.objectContaining({ code: 'login_failed' }));
    });

    it('should refuse a missing or tampered cookie', () => {
      expect(() => checkLoginState(config, keys, state, undefined)).toThrow();
      expect(() =>
        checkLoginState(
          config,
          keys,
          state,
          login.cookieValue.slice(0, -2) + 'AA'
        )
      ).toThrow();
    });

    it('should refuse a sealed state whose return path is not under the prefix', () => {
      const cookie = sealCookie(
        keys,
        'oauth-state',
        { s: 'y'.repeat(32), v: 'v', r: 'https://evil.example/' },
        60
      );
      expect(() =>
        checkLoginState(config, keys, 'y'.repeat(32), cookie)
      ).toThrow();
    });
  });
});
