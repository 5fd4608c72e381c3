/** Reading the configuration: defaults, parsing, and every problem named. */
import {
  ConfigError,
  loadConfig,
  parseBytes,
  parseDuration,
  parseRateLimit
} from './config';

const HUB_ENV = {
  JUPYTERHUB_SERVICE_NAME: 'share-link',
  JUPYTERHUB_API_TOKEN: 'service-token',
  JUPYTERHUB_API_URL: 'http://127.0.0.1:8081/hub/api',
  JUPYTERHUB_BASE_URL: '/jhub/',
  JUPYTERHUB_SERVICE_URL: 'http://127.0.0.1:10102',
  SHARE_LINK_HUB_URL: 'http://127.0.0.1:8000/',
  SHARE_LINK_PUBLIC_URL: 'https://hub.example.org/',
  SHARE_LINK_KEYS_FILE: '/srv/keys.json'
};

/** The problems loadConfig finds in `env`. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
}

describe('config', () => {
  describe('#loadConfig()', () => {
    it('should read the Hub environment with defaults for the rest', () => {
      const config = loadConfig(HUB_ENV);
      expect(config).toEqual(
        expect.objectContaining({
          serviceName: 'share-link',
          apiToken: 'service-token',
          hubApiUrl: 'http://127.0.0.1:8081/hub/api/',
          hubBaseUrl: '/jhub/',
          servicePrefix: '/jhub/services/share-link/',
          oauthClientId: 'service-share-link',
          oauthCallbackUrl: '/jhub/services/share-link/oauth_callback',
          hubUrl: 'http://127.0.0.1:8000',
          publicUrl: 'https://hub.example.org',
          listenHost: '127.0.0.1',
          listenPort: 10102,
          defaultExpirySeconds: 86400,
          maxExpirySeconds: 30 * 86400,
          maxFileBytes: 2 * 1024 ** 3,
          spawnPolicy: 'default-then-named',
          environmentIgnoreKeys: [],
          mintRateLimit: { limit: 30, windowSeconds: 60 },
          openRateLimit: { limit: 30, windowSeconds: 60 },
          maxRequestBodyBytes: 64 * 1024,
          logLevel: 'info'
        })
      );
    });

    it('should take the service settings', () => {
      const config = loadConfig({
        ...HUB_ENV,
        SHARE_LINK_DEFAULT_EXPIRY: '2h',
        SHARE_LINK_MAX_EXPIRY: '7d',
        SHARE_LINK_MAX_FILE_SIZE: '500M',
        SHARE_LINK_ENVIRONMENT_IGNORE_KEYS: ' mem_limit , cpu ',
        SHARE_LINK_MINT_RATE_LIMIT: '5/10s',
        SHARE_LINK_OPEN_RATE_LIMIT: '100/1h',
        SHARE_LINK_LOG_LEVEL: 'debug'
      });
      expect(config.defaultExpirySeconds).toBe(7200);
      expect(config.maxExpirySeconds).toBe(7 * 86400);
      expect(config.maxFileBytes).toBe(500 * 1024 ** 2);
      expect(config.environmentIgnoreKeys).toEqual(['mem_limit', 'cpu']);
      expect(config.mintRateLimit).toEqual({ limit: 5, windowSeconds: 10 });
      expect(config.openRateLimit).toEqual({ limit: 100, windowSeconds: 3600 });
      expect(config.logLevel).toBe('debug');
    });

    it('should use the Hub public URL when no public URL is given', () => {
      const { SHARE_LINK_PUBLIC_URL: _unused, ...env } = HUB_ENV;
      const config = loadConfig({
        ...env,
        JUPYTERHUB_PUBLIC_URL: 'https://public.example.org'
      });
      expect(config.publicUrl).toBe('https://public.example.org');
    });

    it('should name every missing variable at once', () => {
      const problems = problemsOf({});
      for (const name of [
        'JUPYTERHUB_SERVICE_NAME',
        'JUPYTERHUB_API_TOKEN',
        'JUPYTERHUB_API_URL',
        'SHARE_LINK_HUB_URL',
        'SHARE_LINK_PUBLIC_URL',
        'SHARE_LINK_KEYS_FILE'
      ]) {
        expect(problems.join('\n')).toContain(name);
      }
    });

    it.each([
      ['JUPYTERHUB_API_URL', 'ftp://hub'],
      ['SHARE_LINK_HUB_URL', 'not a url'],
      ['SHARE_LINK_DEFAULT_EXPIRY', '1 fortnight'],
      ['SHARE_LINK_MAX_EXPIRY', '3651d'],
      ['SHARE_LINK_MAX_FILE_SIZE', 'big'],
      ['SHARE_LINK_MINT_RATE_LIMIT', '30 per minute'],
      ['SHARE_LINK_OPEN_RATE_LIMIT', '0/1m'],
      ['SHARE_LINK_SPAWN_POLICY', 'random'],
      ['SHARE_LINK_LOG_LEVEL', 'loud'],
      ['SHARE_LINK_MAX_REQUEST_BODY', '-1']
    ])('should refuse %s=%s, naming it', (name, value) => {
      const problems = problemsOf({ ...HUB_ENV, [name]: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(name);
    });

    it('should refuse a default expiry longer than the maximum', () => {
      const problems = problemsOf({
        ...HUB_ENV,
        SHARE_LINK_DEFAULT_EXPIRY: '8d',
        SHARE_LINK_MAX_EXPIRY: '7d'
      });
      expect(problems.join()).toContain('SHARE_LINK_DEFAULT_EXPIRY');
    });

    it('should never show the token in its problems', () => {
      const problems = problemsOf({ ...HUB_ENV, SHARE_LINK_HUB_URL: 'x' });
      expect(problems.join()).not.toContain('service-token');
    });
  });

  describe('#parseDuration()', () => {
    it.each([
      ['3600', 3600],
      ['90m', 5400],
      ['12h', 43200],
      ['7d', 604800],
      ['2w', 1209600],
      [' 5 S ', 5]
    ])('should read %j as %i seconds', (raw, seconds) => {
      expect(parseDuration(raw)).toBe(seconds);
    });

    it.each(['', '0', '-5', '1.5h', 'h', '1y', '99999999999999999999d'])(
      'should refuse %j',
      raw => {
        const value = parseDuration(raw);
        expect(value === undefined || !Number.isSafeInteger(value)).toBe(true);
      }
    );
  });

  describe('#parseBytes()', () => {
    it.each([
      ['1048576', 1048576],
      ['64k', 65536],
      ['500M', 500 * 1024 ** 2],
      ['2G', 2 * 1024 ** 3],
      ['1GiB', 1024 ** 3],
      ['10MB', 10 * 1024 ** 2]
    ])('should read %j as %i bytes', (raw, bytes) => {
      expect(parseBytes(raw)).toBe(bytes);
    });

    it.each(['', '0', 'big', '1.5G', '-1'])('should refuse %j', raw => {
      expect(parseBytes(raw)).toBeUndefined();
    });
  });

  describe('#parseRateLimit()', () => {
    it('should read a count per duration', () => {
      expect(parseRateLimit('30/1m')).toEqual({ limit: 30, windowSeconds: 60 });
      expect(parseRateLimit(' 10 / 60 ')).toEqual({
        limit: 10,
        windowSeconds: 60
      });
    });

    it.each(['30', '30/', '/1m', '0/1m', '30/0', 'x/1m'])(
      'should refuse %j',
      raw => {
        expect(parseRateLimit(raw)).toBeUndefined();
      }
    );
  });
});
