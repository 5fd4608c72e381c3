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

/** A file being read: its bytes as a stream, and its length if known. */
export interface IFileStream {
  body: ReadableStream<Uint8Array>;
  /** The length the server announced, in bytes. */
  length?: number;
}

/** The shared file is no longer on the sender's server. */
export function fileGone(ref: IServerRef, path: string): HttpError {
  const name = path.split('/').pop() ?? path;
  return new HttpError(
    404,
    'file_gone',
    `The shared file "${name}" is no longer on ${ref.user}'s server: it was` +
      ' moved, renamed or deleted. Ask them to share it again.',
    'The shared file is gone'
  );
}

/** The path of a user's server below the Hub's base, with a slash. */
export function userServerPath(hubBaseUrl: string, ref: IServerRef): string {
  const server = ref.server ? `${encodeURIComponent(ref.server)}/` : '';
  return `${hubBaseUrl}user/${encodeURIComponent(ref.user)}/${server}`;
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
    return this._hubUrl + userServerPath(this._hubBaseUrl, ref);
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

  /**
   * Open a file's bytes as a stream (`GET files/<path>`), exactly as stored.
   * The reply is checked to be the file and not a page of the Hub: status
   * 200 and no HTML unless the file is HTML itself.
   *
   * @throws HttpError 404 when the file is gone, 409 when the server is not
   *   running.
   */
  async readFile(
    ref: IServerRef,
    path: string,
    signal: AbortSignal
  ): Promise<IFileStream> {
    const res = await this.request(ref, 'GET', `files/${encodePath(path)}`, {
      signal
    });
    if (res.status === 404) {
      await res.body?.cancel();
      throw fileGone(ref, path);
    }
    const type = (res.headers.get('Content-Type') ?? '').toLowerCase();
    const isHtmlFile = /\.html?$/i.test(path);
    if (
      res.status !== 200 ||
      !res.body ||
      (type.startsWith('text/html') && !isHtmlFile)
    ) {
      await res.body?.cancel();
      this._logger.warn('unexpected reply reading a file', {
        user: ref.user,
        server: ref.server,
        status: res.status,
        contentType: type
      });
      if (res.status === 403) {
        // The service's scopes were checked at start and the Contents API
        // answered: a 403 here is jupyter-server refusing this file, as it
        // does for a link pointing out of the user's folder.
        throw new HttpError(
          403,
          'file_refused',
          `${ref.user}'s server refused to hand over the shared file: it may` +
            ` have been replaced by a link to a place outside ${ref.user}'s` +
            ' folder. Ask them to share the file itself again.',
          'The shared file cannot be read'
        );
      }
      throw serverNotRunning(ref);
    }
    const length = Number(res.headers.get('Content-Length') ?? '');
    return {
      body: res.body,
      length: Number.isSafeInteger(length) && length >= 0 ? length : undefined
    };
  }

  /**
   * Write one chunk of a file (`PUT api/contents/<path>` as base64, never
   * as a notebook): chunk 1 creates or truncates, later numbers append,
   * -1 appends and ends the upload.
   *
   * @throws HttpError with the server's reason; status 400 for a name the
   *   server refuses (e.g. a hidden name).
   */
  async writeChunk(
    ref: IServerRef,
    path: string,
    chunk: number,
    content: Buffer,
    signal?: AbortSignal
  ): Promise<void> {
    const res = await this.request(
      ref,
      'PUT',
      `api/contents/${encodePath(path)}`,
      {
        body: JSON.stringify({
          type: 'file',
          format: 'base64',
          content: content.toString('base64'),
          chunk
        }),
        contentType: 'application/json',
        signal
      }
    );
    await this._expectOk(res, ref, [200, 201]);
  }

  /**
   * Rename a file (`PATCH api/contents/<from>`); never replaces a file.
   *
   * @returns `exists` when something already has the name `to`.
   */
  async rename(
    ref: IServerRef,
    from: string,
    to: string
  ): Promise<'renamed' | 'exists'> {
    const res = await this.request(
      ref,
      'PATCH',
      `api/contents/${encodePath(from)}`,
      { body: JSON.stringify({ path: to }), contentType: 'application/json' }
    );
    if (res.status === 409) {
      await res.body?.cancel();
      return 'exists';
    }
    await this._expectOk(res, ref, [200]);
    return 'renamed';
  }

  /** Delete a file (`DELETE api/contents/<path>`); a missing file is fine. */
  async remove(ref: IServerRef, path: string): Promise<void> {
    const res = await this.request(
      ref,
      'DELETE',
      `api/contents/${encodePath(path)}`
    );
    if (res.status === 404) {
      await res.body?.cancel();
      return;
    }
    await this._expectOk(res, ref, [204, 200]);
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

  /** Check a reply's status, turning a refusal into an HttpError. */
  private async _expectOk(
    res: Response,
    ref: IServerRef,
    ok: number[]
  ): Promise<void> {
    if (ok.includes(res.status)) {
      await res.body?.cancel();
      return;
    }
    if (res.status === 400) {
      await res.body?.cancel();
      throw new HttpError(
        400,
        'contents_refused',
        `${ref.user}'s server refused the file name or content.`
      );
    }
    await this.json(res, ref);
    throw new HttpError(
      502,
      'contents_error',
      `${ref.user}'s server answered ${res.status}. Try again later.`
    );
  }

  private _hubUrl: string;
  private _hubBaseUrl: string;
  private _token: string;
  private _logger: ILogger;
  private _timeoutMs: number;
}
