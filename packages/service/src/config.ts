/**
 * The service's configuration: read and checked once, at start.
 *
 * The Hub gives a managed service its `JUPYTERHUB_*` variables; an external
 * service (its own process or Deployment) must be given the same ones. The
 * service's own settings are `SHARE_LINK_*` variables, each listed in the
 * README's configuration table.
 */
import { LogLevel, isLogLevel } from './log';

/** Where to start a recipient's server when none of theirs matches. */
export type SpawnPolicy = 'default-then-named' | 'named-only';

/** The checked configuration. */
export interface IConfig {
  /** The service's name on the Hub, e.g. `share-link`. */
  serviceName: string;
  /** The service's own Hub API token (secret). */
  apiToken: string;
  /** The Hub's REST API, e.g. `http://127.0.0.1:8081/hub/api/`. */
  hubApiUrl: string;
  /** The Hub's base path, e.g. `/` or `/jhub/`. */
  hubBaseUrl: string;
  /** The service's path under the Hub, e.g. `/services/share-link/`. */
  servicePrefix: string;
  /** OAuth client id of the service, e.g. `service-share-link`. */
  oauthClientId: string;
  /** OAuth redirect URL as registered with the Hub. */
  oauthCallbackUrl: string;
  /** Where the service reaches users' servers (the proxy), no trailing slash. */
  hubUrl: string;
  /** The origin people's browsers use, links are built on it. */
  publicUrl: string;
  /** Address and port to listen on. */
  listenHost: string;
  listenPort: number;
  /** JSON file holding the signing and encryption keys. */
  keysFile: string;
  /** Expiry bounds for new links, in seconds. */
  defaultExpirySeconds: number;
  maxExpirySeconds: number;
  /** Largest file that may be shared, in bytes. */
  maxFileBytes: number;
  /** How long to wait for a recipient's server to start, in seconds. */
  spawnTimeoutSeconds: number;
  /** Which server to start for a recipient. */
  spawnPolicy: SpawnPolicy;
  /** Spawn options that are not part of an environment. */
  environmentIgnoreKeys: string[];
  /** How many links one user may mint, per window. */
  mintRateLimit: IRateLimit;
  /** How many links one user may open, per window. */
  openRateLimit: IRateLimit;
  /** Largest JSON request body, in bytes. */
  maxRequestBodyBytes: number;
  /** Log verbosity. */
  logLevel: LogLevel;
}

/** At most `limit` requests per `windowSeconds`, for one user. */
export interface IRateLimit {
  limit: number;
  windowSeconds: number;
}

/** Configuration that cannot be used, with every problem found. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      'The share-link service is not configured correctly:\n' +
        problems.map(p => `  - ${p}`).join('\n')
    );
    this.name = 'ConfigError';
  }
}

/** The longest lifetime the service accepts as a setting: ten years. */
const MAX_LINK_LIFETIME_SECONDS = 3650 * 86400;

type Env = Record<string, string | undefined>;

/**
 * Read and check the configuration from `env`.
 *
 * @throws ConfigError naming every missing or malformed variable.
 */
export function loadConfig(env: Env = process.env): IConfig {
  const problems: string[] = [];

  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') {
      problems.push(
        `${name} is not set (the Hub sets it for a managed service;` +
          ' an external service must be given it)'
      );
      return '';
    }
    return value;
  };

  const optional = (name: string, fallback: string): string => {
    const value = env[name];
    return value === undefined || value === '' ? fallback : value;
  };

  const url = (name: string, value: string): string => {
    if (!value) {
      return value;
    }
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        throw new Error('not http(s)');
      }
    } catch {
      problems.push(`${name} must be an http(s) URL, got ${value}`);
    }
    return value;
  };

  const seconds = (name: string, fallback: string): number => {
    const raw = optional(name, fallback);
    const value = parseDuration(raw);
    if (value === undefined) {
      problems.push(
        `${name} must be a duration such as 3600, 90m, 12h or 7d, got ${raw}`
      );
      return 0;
    }
    return value;
  };

  const bytes = (name: string, fallback: string): number => {
    const raw = optional(name, fallback);
    const value = parseBytes(raw);
    if (value === undefined) {
      problems.push(`${name} must be a size such as 500M or 2G, got ${raw}`);
      return 0;
    }
    return value;
  };

  const serviceName = required('JUPYTERHUB_SERVICE_NAME');
  const apiToken = required('JUPYTERHUB_API_TOKEN');
  const hubApiUrl = withSlash(
    url('JUPYTERHUB_API_URL', required('JUPYTERHUB_API_URL'))
  );
  const hubBaseUrl = withSlash(optional('JUPYTERHUB_BASE_URL', '/'));
  const servicePrefix = withSlash(
    optional(
      'JUPYTERHUB_SERVICE_PREFIX',
      `${hubBaseUrl}services/${serviceName}/`
    )
  );
  const oauthClientId = optional(
    'JUPYTERHUB_CLIENT_ID',
    `service-${serviceName}`
  );
  const oauthCallbackUrl = optional(
    'JUPYTERHUB_OAUTH_CALLBACK_URL',
    `${servicePrefix}oauth_callback`
  );
  const serviceUrl = url(
    'JUPYTERHUB_SERVICE_URL',
    optional('JUPYTERHUB_SERVICE_URL', 'http://127.0.0.1:10101')
  );
  const hubUrl = withoutSlash(
    url('SHARE_LINK_HUB_URL', required('SHARE_LINK_HUB_URL'))
  );
  const publicUrl = withoutSlash(
    url(
      'SHARE_LINK_PUBLIC_URL',
      optional('SHARE_LINK_PUBLIC_URL', env.JUPYTERHUB_PUBLIC_URL ?? '')
    )
  );
  if (!publicUrl) {
    problems.push(
      'SHARE_LINK_PUBLIC_URL is not set: the origin people open the Hub at,' +
        ' such as https://hub.example.org'
    );
  }
  const keysFile = required('SHARE_LINK_KEYS_FILE');
  const defaultExpirySeconds = seconds('SHARE_LINK_DEFAULT_EXPIRY', '1d');
  const maxExpirySeconds = seconds('SHARE_LINK_MAX_EXPIRY', '30d');
  if (maxExpirySeconds > MAX_LINK_LIFETIME_SECONDS) {
    problems.push(
      'SHARE_LINK_MAX_EXPIRY must be at most 3650d (ten years): links' +
        ' should not outlive their keys'
    );
  }
  if (defaultExpirySeconds > maxExpirySeconds) {
    problems.push(
      'SHARE_LINK_DEFAULT_EXPIRY must not be longer than SHARE_LINK_MAX_EXPIRY'
    );
  }
  const maxFileBytes = bytes('SHARE_LINK_MAX_FILE_SIZE', '2G');
  const spawnTimeoutSeconds = seconds('SHARE_LINK_SPAWN_TIMEOUT', '300');

  const policy = optional('SHARE_LINK_SPAWN_POLICY', 'default-then-named');
  if (policy !== 'default-then-named' && policy !== 'named-only') {
    problems.push(
      'SHARE_LINK_SPAWN_POLICY must be default-then-named or named-only,' +
        ` got ${policy}`
    );
  }
  const rate = (name: string, fallback: string): IRateLimit => {
    const raw = optional(name, fallback);
    const value = parseRateLimit(raw);
    if (value === undefined) {
      problems.push(
        `${name} must be a count per duration such as 30/1m or 100/1h,` +
          ` got ${raw}`
      );
      return { limit: 1, windowSeconds: 1 };
    }
    return value;
  };
  const mintRateLimit = rate('SHARE_LINK_MINT_RATE_LIMIT', '30/1m');
  const openRateLimit = rate('SHARE_LINK_OPEN_RATE_LIMIT', '30/1m');
  const maxRequestBodyBytes = bytes('SHARE_LINK_MAX_REQUEST_BODY', '64k');

  const level = optional('SHARE_LINK_LOG_LEVEL', 'info');
  if (!isLogLevel(level)) {
    problems.push(
      'SHARE_LINK_LOG_LEVEL must be debug, info, warn, error or silent,' +
        ` got ${level}`
    );
  }

  let listenHost = '127.0.0.1';
  let listenPort = 10101;
  if (serviceUrl) {
    try {
      const parsed = new URL(serviceUrl);
      listenHost = parsed.hostname.replace(/^\[|\]$/g, '');
      listenPort = Number(
        parsed.port || (parsed.protocol === 'https:' ? 443 : 80)
      );
    } catch {
      // Already reported by url() above.
    }
  }

  const environmentIgnoreKeys = optional(
    'SHARE_LINK_ENVIRONMENT_IGNORE_KEYS',
    ''
  )
    .split(',')
    .map(k => k.trim())
    .filter(Boolean);

  if (problems.length) {
    throw new ConfigError(problems);
  }

  return {
    serviceName,
    apiToken,
    hubApiUrl,
    hubBaseUrl,
    servicePrefix,
    oauthClientId,
    oauthCallbackUrl,
    hubUrl,
    publicUrl,
    listenHost,
    listenPort,
    keysFile,
    defaultExpirySeconds,
    maxExpirySeconds,
    maxFileBytes,
    spawnTimeoutSeconds,
    spawnPolicy: policy as SpawnPolicy,
    environmentIgnoreKeys,
    mintRateLimit,
    openRateLimit,
    maxRequestBodyBytes,
    logLevel: level as LogLevel
  };
}

const DURATION_UNITS: Record<string, number> = {
  '': 1,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800
};

/** Seconds in a duration such as `3600`, `90m`, `12h`, `7d`; else undefined. */
export function parseDuration(raw: string): number | undefined {
  const match = /^\s*(\d+)\s*([smhdw]?)\s*$/i.exec(raw);
  if (!match) {
    return undefined;
  }
  const value = Number(match[1]) * DURATION_UNITS[match[2].toLowerCase()];
  return value > 0 ? value : undefined;
}

/**
 * A rate limit such as `30/1m` (30 per minute), `100/1h` or `5/10s`; else
 * undefined.
 */
export function parseRateLimit(raw: string): IRateLimit | undefined {
  const match = /^\s*(\d+)\s*\/\s*(.+)$/.exec(raw);
  if (!match) {
    return undefined;
  }
  const limit = Number(match[1]);
  const windowSeconds = parseDuration(match[2]);
  if (!(limit > 0) || windowSeconds === undefined) {
    return undefined;
  }
  return { limit, windowSeconds };
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4
};

/** Bytes in a size such as `1048576`, `500M`, `2G`; else undefined. */
export function parseBytes(raw: string): number | undefined {
  const match = /^\s*(\d+)\s*([kmgt]?)i?b?\s*$/i.exec(raw);
  if (!match) {
    return undefined;
  }
  const value = Number(match[1]) * SIZE_UNITS[match[2].toLowerCase()];
  return value > 0 ? value : undefined;
}

function withSlash(value: string): string {
  return value.endsWith('/') ? value : `${value}/`;
}

function withoutSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

/** Bytes for people: `3.0 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
