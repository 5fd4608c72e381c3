/**
 * A client for users' Jupyter servers' Contents API, reached through the
 * Hub's proxy with the service's own token. Users' cookies never pass
 * through here.
 */
import { HttpError } from './errors';
import { isRecord } from './hub';
import { ILogger } from './log';

/** A user's server. */
export interface IServerRef {
  user: string;
  /** `''` for the default server. */
  server: string;
}

/** What the Contents API says of a file, without its content. */
export interface IFileInfo {
  /** The path below the server's root. */
  path: string;
  name: string;
  /** `file`, `notebook` or `directory`. */
  type: string;
  /** Size in bytes, when the server reports it. */
  size?: number;
  lastModified?: string;
}

/** Options of {@link ContentsClient}. */
export interface IContentsClientOptions {
  /** Where users' servers are reached, e.g. `http://proxy-public`. */
  hubUrl: string;
  /** The Hub's base path, e.g. `/` or `/jhub/`. */
  hubBaseUrl: string;
  /** The service's own API token. */
  token: string;
  logger: ILogger;
  /** Per-request timeout, in ms. */
  timeoutMs?: number;
}

/** The sender's or recipient's server is not running (or not reachable). */
export function serverNotRunning(ref: IServerRef): HttpError {
  return new HttpError(
    409,
    'server_not_running',
    `${ref.user}'s server${ref.server ? ` "${ref.server}"` : ''} is not` +
      ' running, so the file cannot be reached. Ask them to start it, then' +
      ' try again.',
    'The server is not running'
  );
}

/** Encode a path below a server's root, one segment at a time. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** A client of users' servers' Contents API. */
export class ContentsClient {
  constructor(options: IContentsClientOptions) {
    this._hubUrl = options.hubUrl.replace(/\/+$/, '');
    this._hubBaseUrl = options.hubBaseUrl;
    this._token = options.token;
    this._logger = options.logger;
    this._timeoutMs = options.timeoutMs ?? 30000;
  }

  /** The URL of a server's root, with a trailing slash. */
  serverUrl(ref: IServerRef): string {
    const server = ref.server ? `${encodeURIComponent(ref.server)}/` : '';
    return (
      `${this._hubUrl}${this._hubBaseUrl}user/` +
      `${encodeURIComponent(ref.user)}/${server}`
    );
  }

  /**
   * Send a request to a user's server (`path` below its root, already
   * encoded). Redirects are never followed: a redirect means the server is
   * not running and the proxy sent us to the Hub.
   */
  async request(
    ref: IServerRef,
    method: string,
    path: string,
    options: {
      body?: string;
      contentType?: string;
      signal?: AbortSignal;
      headers?: Record<string, string>;
    } = {}
  ): Promise<Response> {
    const headers: Record<string, string> = {
      Authorization: `token ${this._token}`,
      ...options.headers
    };
    if (options.contentType) {
      headers['Content-Type'] = options.contentType;
    }
    let res: Response;
    try {
      res = await fetch(this.serverUrl(ref) + path, {
        method,
        headers,
        body: options.body,
        redirect: 'manual',
        signal: options.signal ?? AbortSignal.timeout(this._timeoutMs)
      });
    } catch (err) {
      this._logger.warn('server request failed', {
        user: ref.user,
        server: ref.server,
        method,
        error: err instanceof Error ? err.message : String(err)
      });
      throw serverNotRunning(ref);
    }
    if (
      (res.status >= 300 && res.status < 400) ||
      res.status === 424 ||
      res.status === 503
    ) {
      await res.body?.cancel();
      throw serverNotRunning(ref);
    }
    return res;
  }

  /**
   * What the server says of `path`, or undefined when there is nothing
   * there. Content is never requested.
   */
  async stat(ref: IServerRef, path: string): Promise<IFileInfo | undefined> {
    const res = await this.request(
      ref,
      'GET',
      `api/contents/${encodePath(path)}?content=0`
    );
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    const body = await this.json(res, ref);
    if (!isRecord(body) || typeof body.type !== 'string') {
      throw new HttpError(
        502,
        'bad_contents_reply',
        "The user's server gave an unexpected answer. Try again later."
      );
    }
    return {
      path: typeof body.path === 'string' ? body.path : path,
      name: typeof body.name === 'string' ? body.name : path,
      type: body.type,
      size: typeof body.size === 'number' ? body.size : undefined,
      lastModified:
        typeof body.last_modified === 'string' ? body.last_modified : undefined
    };
  }

  /** Parse a JSON reply of a user's server, checking its content type. */
  async json(res: Response, ref: IServerRef): Promise<unknown> {
    const type = res.headers.get('Content-Type') ?? '';
    if (!type.includes('application/json')) {
      // An HTML page (a login form, an error page) is never a file model.
      await res.body?.cancel();
      throw serverNotRunning(ref);
    }
    const body: unknown = await res.json();
    if (res.status === 403) {
      throw new HttpError(
        403,
        'server_refused',
        `${ref.user}'s server refused the share-link service: the service's` +
          ' Hub role may lack "access:servers". Tell your Hub admin.'
      );
    }
    if (res.status >= 400) {
      const message =
        isRecord(body) && typeof body.message === 'string' ? body.message : '';
      throw new HttpError(
        res.status === 404 ? 404 : 502,
        'contents_error',
        `${ref.user}'s server refused the request` +
          (message ? `: ${message}` : ` (status ${res.status})`) +
          '.'
      );
    }
    return body;
  }

  private _hubUrl: string;
  private _hubBaseUrl: string;
  private _token: string;
  private _logger: ILogger;
  private _timeoutMs: number;
}
