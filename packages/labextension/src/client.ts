/**
 * A typed client for the share-link service's REST API.
 */

/** The environment a recipient's copy opens in, as the service describes it. */
export interface IShareEnvironment {
  /** The spawner options that identify it (empty for the Hub's default). */
  id: string;
  /** The environment in words, for people. */
  label: string;
  /** Whether the link pins this environment for the recipient. */
  pinned: boolean;
}

/** The service's reply to `GET api/info`. */
export interface IServiceInfo {
  /** The service's version. */
  version: string;
  /** The expiry the service proposes and the longest it allows. */
  expiry: { defaultSeconds: number; maxSeconds: number };
  /** The environment recipients of this server's files will get. */
  environment: IShareEnvironment;
}

/** What to share, and until when: the body of `POST api/links`. */
export interface ICreateLinkRequest {
  /** The file's path relative to the server's root. */
  path: string;
  /** The Hub's name of the sender's server ('' for the default one). */
  server: string;
  /** Lifetime in seconds from now; or give `expires_at`. */
  expires_in?: number;
  /** Expiry time as an ISO 8601 UTC string; or give `expires_in`. */
  expires_at?: string;
}

/** The service's reply to `POST api/links`. */
export interface IShareLink {
  /** The link to send to recipients. */
  url: string;
  /** When the link stops working, as an ISO 8601 UTC string. */
  expires_at: string;
  /** The shared file's name and size in bytes. */
  file: { name: string; size: number };
  /** The environment recipients will get. */
  environment: IShareEnvironment;
  /** What the link gives, in words. */
  description: string;
}

/** Why a call to the service failed, with the service's own message. */
export class ShareLinkResponseError extends Error {
  /**
   * @param status - the HTTP status, or 0 when the service was unreachable
   * @param code - the service's error code, or one of this client's codes:
   *   `unavailable` (no share-link service answered) or `not_under_hub`
   * @param message - the service's message, meant for people
   */
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message);
    this.name = 'ShareLinkResponseError';
  }

  /** Whether no share-link service answered at all. */
  get isServiceUnavailable(): boolean {
    return this.code === 'unavailable';
  }
}

/** Calls the share-link service with the user's page token. */
export class ShareLinkClient {
  constructor(options: IShareLinkClientOptions) {
    this._baseUrl = options.baseUrl;
    this._token = options.token;
    this._fetch = options.fetch ?? ((...args) => window.fetch(...args));
  }

  /** The service's limits and the environment a recipient will get. */
  async getInfo(server: string): Promise<IServiceInfo> {
    const query = new URLSearchParams({ server }).toString();
    let reply: unknown;
    try {
      reply = await this._request('GET', `api/info?${query}`);
    } catch (reason) {
      // api/info always exists in a share-link service: a 404 means no
      // service, or one too old for this extension, at this address.
      if (reason instanceof ShareLinkResponseError && reason.status === 404) {
        throw new ShareLinkResponseError(404, 'unavailable', reason.message);
      }
      throw reason;
    }
    assertServiceInfo(reply);
    return reply;
  }

  /** Mints a link to one file of the caller's server. */
  async createLink(request: ICreateLinkRequest): Promise<IShareLink> {
    const reply = await this._request('POST', 'api/links', request);
    assertShareLink(reply);
    return reply;
  }

  /** Sends one request and returns its JSON reply, or throws the error. */
  private async _request(
    method: 'GET' | 'POST',
    path: string,
    body?: object
  ): Promise<unknown> {
    if (this._baseUrl === null) {
      throw new ShareLinkResponseError(
        0,
        'not_under_hub',
        'This JupyterLab is not running under JupyterHub.'
      );
    }

    // The page token goes in the header on every call: the service never
    // accepts cookies alone, so a page elsewhere can't mint links.
    const headers: Record<string, string> = {
      Authorization: `token ${this._token}`,
      Accept: 'application/json'
    };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }

    let response: Response;
    try {
      response = await this._fetch(this._baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store'
      });
    } catch (reason) {
      throw new ShareLinkResponseError(
        0,
        'unavailable',
        `The share-link service could not be reached: ${String(reason)}`
      );
    }

    const reply = await readJson(response);
    if (response.ok && reply !== undefined) {
      return reply;
    }
    const error = serviceError(reply);
    if (error === null) {
      // Not the service's JSON: the Hub's or a proxy's page, so no service.
      throw new ShareLinkResponseError(
        response.status,
        'unavailable',
        `No share-link service answered (HTTP ${response.status}).`
      );
    }
    throw new ShareLinkResponseError(
      response.status,
      error.code,
      error.message
    );
  }

  private readonly _baseUrl: string | null;
  private readonly _token: string;
  private readonly _fetch: typeof window.fetch;
}

/** How a ShareLinkClient reaches the service. */
export interface IShareLinkClientOptions {
  /** The service's URL ending with `/`, or null when there is no Hub. */
  baseUrl: string | null;
  /** The user's page token, sent as `Authorization: token …`. */
  token: string;
  /** The fetch to use; the browser's by default (tests stub it). */
  fetch?: typeof window.fetch;
}

// Checks of the service's replies before use.

/** The reply's JSON, or undefined if it is not JSON. */
async function readJson(response: Response): Promise<unknown> {
  const type = response.headers.get('Content-Type') ?? '';
  if (!type.includes('json')) {
    return undefined;
  }
  try {
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}

/** The `{error: {code, message}}` of an error reply, if it has one. */
function serviceError(body: unknown): { code: string; message: string } | null {
  if (!isObject(body) || !isObject(body.error)) {
    return null;
  }
  const { code, message } = body.error;
  if (typeof code !== 'string' || typeof message !== 'string') {
    return null;
  }
  return { code, message };
}

/** Throws unless the value is an `api/info` reply. */
function assertServiceInfo(value: unknown): asserts value is IServiceInfo {
  const expiry = isObject(value) ? value.expiry : undefined;
  if (
    !isObject(value) ||
    typeof value.version !== 'string' ||
    !isObject(expiry) ||
    !isPositiveNumber(expiry.defaultSeconds) ||
    !isPositiveNumber(expiry.maxSeconds) ||
    !isEnvironment(value.environment)
  ) {
    throw malformed('api/info');
  }
}

/** Throws unless the value is an `api/links` reply. */
function assertShareLink(value: unknown): asserts value is IShareLink {
  const file = isObject(value) ? value.file : undefined;
  if (
    !isObject(value) ||
    typeof value.url !== 'string' ||
    !/^https?:\/\//.test(value.url) ||
    typeof value.expires_at !== 'string' ||
    Number.isNaN(Date.parse(value.expires_at)) ||
    !isObject(file) ||
    typeof file.name !== 'string' ||
    typeof file.size !== 'number' ||
    !isEnvironment(value.environment) ||
    typeof value.description !== 'string'
  ) {
    throw malformed('api/links');
  }
}

function isEnvironment(value: unknown): value is IShareEnvironment {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    typeof value.label === 'string' &&
    typeof value.pinned === 'boolean'
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function malformed(endpoint: string): ShareLinkResponseError {
  return new ShareLinkResponseError(
    502,
    'bad_reply',
    `The share-link service sent an unexpected reply to ${endpoint}.`
  );
}
