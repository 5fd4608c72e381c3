/**
 * A client for the JupyterHub REST API, as the share-link service uses it:
 * who is calling, which servers a user has, starting a server and following
 * its progress.
 */
import { createHash } from 'node:crypto';

import { HttpError } from './errors';
import { ILogger } from './log';

/** A Hub user (or service) as `GET /hub/api/user` describes the caller. */
export interface IHubIdentity {
  /** The user's (or service's) name. */
  name: string;
  /** `user` or `service`. */
  kind: string;
  /** The scopes the token grants. */
  scopes: string[];
}

/** The Hub's model of one server of a user. */
export interface IServerModel {
  /** `''` for the default server. */
  name: string;
  ready: boolean;
  /** `spawn`, `stop`, ... while an action is under way, else null. */
  pending: string | null;
  stopped: boolean;
  /** The server's path, e.g. `/user/alice/analysis/`. */
  url: string;
  /** The options the server was (or will be) started with. */
  userOptions: Record<string, unknown>;
}

/** One event of a server's start, from the Hub's progress stream. */
export interface IProgressEvent {
  progress?: number;
  message?: string;
  ready?: boolean;
  failed?: boolean;
  url?: string;
}

/** How a start request ended. */
export type StartResult = 'started' | 'pending';

/** Options of {@link HubClient}. */
export interface IHubClientOptions {
  /** The Hub's REST API with a trailing slash, e.g. `.../hub/api/`. */
  apiUrl: string;
  /** The service's own API token. */
  token: string;
  logger: ILogger;
  /** How long a caller's identity is remembered, in ms. */
  identityCacheMs?: number;
  /** Per-request timeout, in ms. */
  timeoutMs?: number;
}

/** The Hub could not be reached or answered nonsense. */
function hubUnreachable(detail: string): HttpError {
  return new HttpError(
    502,
    'hub_unreachable',
    'The share-link service cannot reach the Hub right now. Try again in a' +
      ` minute; if it keeps failing, tell your Hub admin (${detail}).`
  );
}

/** The service's role lacks a scope. */
export function missingScope(scope: string, action: string): HttpError {
  return new HttpError(
    403,
    'service_scope_missing',
    `The share-link service is not allowed to ${action}: its Hub role lacks` +
      ` the scope "${scope}". Ask your Hub admin to add it to the service's` +
      ' role.',
    'The share-link service is not set up completely'
  );
}

/** A client of the Hub's REST API. */
export class HubClient {
  constructor(options: IHubClientOptions) {
    this._apiUrl = options.apiUrl;
    this._token = options.token;
    this._logger = options.logger;
    this._identityCacheMs = options.identityCacheMs ?? 60000;
    this._timeoutMs = options.timeoutMs ?? 15000;
  }

  /**
   * Send a request to the Hub's REST API (`path` below `hub/api/`), with the
   * service's token unless another is given.
   */
  async request(
    method: string,
    path: string,
    options: { body?: unknown; token?: string; signal?: AbortSignal } = {}
  ): Promise<Response> {
    const headers: Record<string, string> = {
      Authorization: `token ${options.token ?? this._token}`,
      Accept: 'application/json'
    };
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    try {
      return await fetch(this._apiUrl + path, {
        method,
        headers,
        body:
          options.body !== undefined ? JSON.stringify(options.body) : undefined,
        redirect: 'manual',
        signal: options.signal ?? AbortSignal.timeout(this._timeoutMs)
      });
    } catch (err) {
      if (options.signal?.aborted) {
        // The caller's own deadline or cancellation: the caller decides.
        throw err;
      }
      this._logger.error('hub request failed', {
        method,
        path: path.split('?')[0],
        error: err instanceof Error ? err.message : String(err)
      });
      throw hubUnreachable(`Is the Hub API reachable at ${this._apiUrl}?`);
    }
  }

  /**
   * Who holds `token`: the Hub's answer to `GET /hub/api/user`, remembered
   * for a short while under a hash of the token (never the token itself);
   * `fresh` asks the Hub even when it is remembered.
   *
   * @throws HttpError 401 when the Hub does not accept the token.
   */
  async identify(
    token: string,
    options: { fresh?: boolean } = {}
  ): Promise<IHubIdentity> {
    const key = createHash('sha256').update(token).digest('hex');
    const now = Date.now();
    const cached = this._identities.get(key);
    if (cached && cached.expires > now && !options.fresh) {
      return cached.identity;
    }

    const res = await this.request('GET', 'user', { token });
    if (res.status === 401 || res.status === 403) {
      this._identities.delete(key);
      throw new HttpError(
        401,
        'unauthorized',
        'The Hub did not accept your credentials. Reload the page and log in' +
          ' again.'
      );
    }
    const body = await this.json(res, 'user');
    const identity = parseIdentity(body);

    if (this._identities.size > 10000) {
      this._identities.clear();
    }
    this._identities.set(key, {
      identity,
      expires: now + this._identityCacheMs
    });
    return identity;
  }

  /** The scopes of the service's own token. */
  async ownScopes(): Promise<string[]> {
    const res = await this.request('GET', 'user');
    if (res.status !== 200) {
      throw hubUnreachable(`the Hub answered ${res.status} to the service`);
    }
    return parseIdentity(await this.json(res, 'user')).scopes;
  }

  /**
   * The servers of user `name`, by server name (`''` is the default server),
   * stopped ones included.
   *
   * @throws HttpError 404 when the Hub has no such user.
   */
  async userServers(name: string): Promise<Map<string, IServerModel>> {
    const res = await this.request(
      'GET',
      `users/${encodeURIComponent(name)}?include_stopped_servers=1`
    );
    if (res.status === 404) {
      throw new HttpError(404, 'no_such_user', `The Hub has no user ${name}.`);
    }
    if (res.status === 403) {
      throw missingScope('read:servers', "read users' servers");
    }
    const body = await this.json(res, 'users');
    const servers = new Map<string, IServerModel>();
    const raw = isRecord(body) && isRecord(body.servers) ? body.servers : {};
    if (isRecord(body) && !isRecord(body.servers)) {
      // Without read:servers the Hub leaves `servers` out of the model.
      throw missingScope('read:servers', "read users' servers");
    }
    for (const [serverName, model] of Object.entries(raw)) {
      const server = parseServer(serverName, model);
      if (server) {
        servers.set(serverName, server);
      }
    }
    return servers;
  }

  /**
   * Ask the Hub to start `user`'s server `server` (`''`: the default
   * server) with spawn options. The Hub's replies are idempotent: asking
   * again while a start is under way answers `pending`.
   *
   * The Hub holds the request while the start runs, up to its
   * `slow_spawn_timeout` (10 s by default, longer if the admin says so).
   * Past `waitMs` (at most the client's request timeout) the reply is not
   * awaited any longer: the Hub goes on starting the server without us,
   * so the start counts as `pending` and its model tells the rest.
   *
   * @throws HttpError with the Hub's reason when it refuses: 429 when the
   *   Hub is at a spawn limit (the caller may wait and retry), 502
   *   `spawn_failed` when the start failed at once (the Hub's progress
   *   stream has the spawner's own words), 409 `spawn_refused` otherwise.
   */
  async startServer(
    user: string,
    server: string,
    options: Record<string, unknown>,
    waitMs = this._timeoutMs,
    signal?: AbortSignal
  ): Promise<StartResult> {
    const timeout = AbortSignal.timeout(
      Math.max(1, Math.min(waitMs, this._timeoutMs))
    );
    let res: Response;
    try {
      res = await this.request('POST', serverPath(user, server), {
        body: options,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout
      });
    } catch (err) {
      if (timeout.aborted && !signal?.aborted) {
        return 'pending';
      }
      if (signal?.aborted) {
        throw new HttpError(499, 'aborted', 'The request was cancelled.');
      }
      throw err;
    }
    if (res.status === 201) {
      return 'started';
    }
    if (res.status === 202) {
      return 'pending';
    }
    const message = await hubMessage(res);
    if (res.status === 403) {
      throw missingScope(
        'start:servers (servers on JupyterHub 5)',
        'start servers'
      );
    }
    if (res.status === 429) {
      const retryAfter = Number(res.headers.get('Retry-After') ?? '');
      throw new HttpError(
        429,
        'hub_busy',
        'The Hub is starting many servers right now' +
          (message ? ` (${message})` : '') +
          '. Waiting for a free slot.',
        'The Hub is busy'
      ).withRetryAfter(Number.isFinite(retryAfter) ? retryAfter : undefined);
    }
    if (res.status >= 500) {
      throw new HttpError(
        502,
        'spawn_failed',
        message || `the Hub answered ${res.status}`,
        'Your server could not be started'
      );
    }
    throw new HttpError(
      res.status === 404 ? 404 : 409,
      'spawn_refused',
      `The Hub did not start your server: ${message || `status ${res.status}`}.`,
      'Your server could not be started'
    );
  }

  /**
   * Follow the Hub's progress events for a starting server until it is
   * ready or has failed. Ends quietly when the Hub has nothing to report
   * (the server is already up, or not pending).
   */
  async *progress(
    user: string,
    server: string,
    signal?: AbortSignal
  ): AsyncGenerator<IProgressEvent> {
    const res = await this.request(
      'GET',
      `${serverPath(user, server)}/progress`,
      { signal }
    );
    if (res.status !== 200 || !res.body) {
      await res.body?.cancel();
      return;
    }
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const event = parseProgressBlock(block);
        if (event) {
          yield event;
          if (event.ready || event.failed) {
            return;
          }
        }
      }
    }
  }

  /** Parse a JSON reply of the Hub, or fail with an actionable error. */
  async json(res: Response, what: string): Promise<unknown> {
    const type = res.headers.get('Content-Type') ?? '';
    if (res.status >= 300 || !type.includes('json')) {
      await res.body?.cancel();
      throw hubUnreachable(`the Hub answered ${res.status} to ${what}`);
    }
    try {
      return await res.json();
    } catch {
      throw hubUnreachable(`the Hub's reply to ${what} was not JSON`);
    }
  }

  private _apiUrl: string;
  private _token: string;
  private _logger: ILogger;
  private _identityCacheMs: number;
  private _timeoutMs: number;
  private _identities = new Map<
    string,
    { identity: IHubIdentity; expires: number }
  >();
}

/** The REST path of a user's server. */
export function serverPath(user: string, server: string): string {
  const base = `users/${encodeURIComponent(user)}`;
  return server
    ? `${base}/servers/${encodeURIComponent(server)}`
    : `${base}/server`;
}

/** Whether `value` is a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseIdentity(body: unknown): IHubIdentity {
  if (!isRecord(body) || typeof body.name !== 'string') {
    throw hubUnreachable("the Hub's user model had no name");
  }
  const scopes = Array.isArray(body.scopes)
    ? body.scopes.filter((s): s is string => typeof s === 'string')
    : [];
  return {
    name: body.name,
    kind: typeof body.kind === 'string' ? body.kind : 'user',
    scopes
  };
}

function parseServer(name: string, model: unknown): IServerModel | undefined {
  if (!isRecord(model)) {
    return undefined;
  }
  return {
    name,
    ready: model.ready === true,
    pending: typeof model.pending === 'string' ? model.pending : null,
    stopped: model.stopped === true,
    url: typeof model.url === 'string' ? model.url : '',
    userOptions: isRecord(model.user_options) ? model.user_options : {}
  };
}

function parseProgressBlock(block: string): IProgressEvent | undefined {
  const data = block
    .split('\n')
    .filter(line => line.startsWith('data:'))
    .map(line => line.slice(5).trim())
    .join('\n');
  if (!data) {
    return undefined;
  }
  try {
    const event: unknown = JSON.parse(data);
    if (!isRecord(event)) {
      return undefined;
    }
    return {
      progress: typeof event.progress === 'number' ? event.progress : undefined,
      message: typeof event.message === 'string' ? event.message : undefined,
      ready: event.ready === true,
      failed: event.failed === true,
      url: typeof event.url === 'string' ? event.url : undefined
    };
  } catch {
    return undefined;
  }
}

async function hubMessage(res: Response): Promise<string> {
  try {
    const body: unknown = await res.json();
    return isRecord(body) && typeof body.message === 'string'
      ? body.message
      : '';
  } catch {
    return '';
  }
}
