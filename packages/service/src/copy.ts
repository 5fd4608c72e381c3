/**
 * Copying one file from the sender's server into the recipient's, byte for
 * byte: streamed from `files/`, written in base64 chunks under a temporary
 * name, then renamed to a name that does not exist yet. A failed copy
 * leaves nothing under the final name.
 */
import { randomBytes } from 'node:crypto';

import { ContentsClient, IFileInfo, IServerRef, fileGone } from './contents';
import { formatBytes } from './config';
import { HttpError } from './errors';
import { ILogger } from './log';
import { checkShareablePath, fileNameOf } from './paths';

/**
 * Bytes per chunk written to the recipient's server. A multiple of 3, so
 * every chunk's base64 stands alone; its base64 (4 MiB) must pass any proxy
 * in front of the servers.
 */
export const CHUNK_BYTES = 3 * 1024 * 1024;

/** How many suffixed names to try before giving up. */
export const MAX_NAME_ATTEMPTS = 100;

/** How long a read may stall before the copy is abandoned, in ms. */
export const READ_IDLE_TIMEOUT_MS = 60000;

/**
 * After this long without data, ask whether the sender's server still runs:
 * a stopped server's connection can hang open behind the proxy.
 */
export const STALL_CHECK_MS = 3000;

/** What to copy, from where, to whom. */
export interface ICopyRequest {
  /** The sender's server. */
  source: IServerRef;
  /** The file's path below the sender's root, as the link carries it. */
  path: string;
  /** The recipient's server. */
  target: IServerRef;
  /** Largest size allowed, in bytes. */
  maxBytes: number;
  /** For log lines: the link's id. */
  linkId?: string;
  /**
   * What the Contents API said of the file moments ago, if the caller just
   * asked; the copy asks itself otherwise.
   */
  known?: IFileInfo;
}

/** Progress of a copy. */
export interface ICopyProgress {
  bytes: number;
  total?: number;
}

/** A finished copy. */
export interface ICopyResult {
  /** The copy's path below the recipient's root. */
  path: string;
  bytes: number;
}

/** Options of {@link copyFileBetweenServers}. */
export interface ICopyOptions {
  contents: ContentsClient;
  logger: ILogger;
  /** Called after each chunk is written. */
  onProgress?: (progress: ICopyProgress) => void;
  /** Ends the copy early (the temporary file is deleted). */
  signal?: AbortSignal;
  /** Bytes per chunk; a multiple of 3. */
  chunkBytes?: number;
  /** Whether the sender's server still runs; asked when reading stalls. */
  isSourceRunning?: () => Promise<boolean>;
}

/**
 * The name of the `attempt`-th copy: `report.ipynb`, then `report-1.ipynb`,
 * `report-2.ipynb`, ... The suffix goes before the last extension.
 */
export function copyName(name: string, attempt: number): string {
  if (attempt === 0) {
    return name;
  }
  const dot = name.lastIndexOf('.');
  if (dot <= 0) {
    return `${name}-${attempt}`;
  }
  return `${name.slice(0, dot)}-${attempt}${name.slice(dot)}`;
}

/** The copy is larger than the service allows. */
function tooLarge(maxBytes: number): HttpError {
  return new HttpError(
    413,
    'file_too_large',
    `The shared file is larger than this Hub allows for share links` +
      ` (${formatBytes(maxBytes)}). Ask the sender to share it another way.`,
    'The file is too large'
  );
}

/** The copy did not finish. */
function copyFailed(detail: string): HttpError {
  return new HttpError(
    502,
    'copy_failed',
    `The copy did not finish (${detail}). Nothing was saved in your server;` +
      ' try again.',
    'The copy failed'
  );
}

/**
 * Copy one file from the sender's server into the recipient's root folder,
 * byte for byte, under the file's own name or the first free suffixed one.
 * Memory use is bounded by two chunks whatever the file's size.
 *
 * @throws HttpError: 404 file gone, 400 not a file, 413 too large,
 *   409 a server is not running, 502 copy failed. Nothing is left behind.
 */
export async function copyFileBetweenServers(
  request: ICopyRequest,
  options: ICopyOptions
): Promise<ICopyResult> {
  const { contents, logger } = options;
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  if (chunkBytes <= 0 || chunkBytes % 3 !== 0) {
    throw new Error('the chunk size must be a positive multiple of 3');
  }
  const name = fileNameOf(checkShareablePath(request.path));
  const context = {
    sender: request.source.user,
    recipient: request.target.user,
    server: request.target.server,
    link: request.linkId
  };

  // Ask the Contents API first: a clear "gone" and the size, before any byte.
  const info =
    request.known ?? (await contents.stat(request.source, request.path));
  if (!info) {
    throw fileGone(request.source, request.path);
  }
  if (info.type === 'directory') {
    throw new HttpError(
      400,
      'not_a_file',
      'The link points at a folder; only files can be shared.',
      'This is a folder'
    );
  }
  if (info.size !== undefined && info.size > request.maxBytes) {
    throw tooLarge(request.maxBytes);
  }

  const aborter = new AbortController();
  const onAbort = () => aborter.abort();
  options.signal?.addEventListener('abort', onAbort);
  let idle: NodeJS.Timeout | undefined;
  let lastData = Date.now();
  const touch = () => {
    lastData = Date.now();
    clearTimeout(idle);
    idle = setTimeout(
      () => aborter.abort(new Error('the read stalled')),
      READ_IDLE_TIMEOUT_MS
    );
  };
  const isSourceRunning = options.isSourceRunning;
  const watchdog = setInterval(() => {
    if (isSourceRunning && Date.now() - lastData >= STALL_CHECK_MS) {
      void isSourceRunning()
        .catch(() => true)
        .then(running => {
          if (!running) {
            aborter.abort(new Error("the sender's server stopped"));
          }
        });
    }
  }, STALL_CHECK_MS);

  let temporary: string | undefined;
  try {
    touch();
    const stream = await contents.readFile(
      request.source,
      request.path,
      aborter.signal
    );
    const total = stream.length ?? info.size;
    if (total !== undefined && total > request.maxBytes) {
      await stream.body.cancel();
      throw tooLarge(request.maxBytes);
    }
    const reader = new ChunkReader(stream.body, chunkBytes);

    // Create the (empty) temporary file while the first chunk is read.
    let next = reader.read();
    next.catch(() => undefined);
    temporary = await createTemporary(
      contents,
      request.target,
      name,
      aborter.signal
    );

    let bytes = 0;
    let chunkNumber = 1;
    let ended = false;
    for (;;) {
      const chunk = await next.catch((err: unknown) => {
        throw readFailed(err, request, logger, context);
      });
      if (!chunk) {
        break;
      }
      touch();
      bytes += chunk.length;
      if (bytes > request.maxBytes) {
        throw tooLarge(request.maxBytes);
      }
      // Read the next chunk while this one is written.
      next = reader.read();
      next.catch(() => undefined);
      // With the length announced, the chunk that completes it is sent as
      // the last one (-1): no empty request to end the upload.
      ended = bytes === stream.length;
      chunkNumber += 1;
      await contents.writeChunk(
        request.target,
        temporary,
        ended ? -1 : chunkNumber,
        chunk,
        aborter.signal
      );
      options.onProgress?.({ bytes, total });
    }
    if (stream.length !== undefined && bytes !== stream.length) {
      throw copyFailed(
        `${formatBytes(bytes)} of ${formatBytes(stream.length)} arrived`
      );
    }
    if (!ended) {
      // Without a length (or for an empty file), an empty last chunk (-1)
      // ends the upload, so reading never waits to learn which is the last.
      await contents.writeChunk(
        request.target,
        temporary,
        -1,
        Buffer.alloc(0),
        aborter.signal
      );
    }
    clearTimeout(idle);

    const final = await renameToFreeName(
      contents,
      request.target,
      temporary,
      name
    );
    temporary = undefined;
    logger.info('file copied', { ...context, path: final, bytes });
    return { path: final, bytes };
  } catch (err) {
    if (temporary) {
      await contents.remove(request.target, temporary).catch(removeErr => {
        logger.error('could not delete a temporary file', {
          ...context,
          path: temporary,
          error: removeErr instanceof Error ? removeErr.message : removeErr
        });
      });
    }
    if (err instanceof HttpError) {
      throw err;
    }
    logger.warn('copy failed', {
      ...context,
      error: err instanceof Error ? err.message : String(err)
    });
    throw copyFailed(err instanceof Error ? err.message : String(err));
  } finally {
    clearTimeout(idle);
    clearInterval(watchdog);
    options.signal?.removeEventListener('abort', onAbort);
    aborter.abort();
  }
}

/**
 * Create the temporary file, empty (chunk 1): hidden when the recipient's
 * server allows hidden files, else visible. Probing with an empty chunk
 * means no chunk of data is ever sent only to be refused.
 *
 * @returns the temporary file's path.
 */
async function createTemporary(
  contents: ContentsClient,
  target: IServerRef,
  name: string,
  signal: AbortSignal
): Promise<string> {
  const random = randomBytes(6).toString('hex');
  const hidden = `.~share-link-${random}.part`;
  try {
    await contents.writeChunk(target, hidden, 1, Buffer.alloc(0), signal);
    return hidden;
  } catch (err) {
    // jupyter-server refuses hidden names unless allow_hidden is set.
    if (!(err instanceof HttpError) || err.status !== 400) {
      throw err;
    }
  }
  const visible = `${name}.share-link-${random}.part`;
  await contents.writeChunk(target, visible, 1, Buffer.alloc(0), signal);
  return visible;
}

/**
 * The renames under way, by target server: the tail of each server's queue.
 *
 * jupyter-server's rename checks that the new name is free, then moves the
 * file in a worker thread: two renames to one name at the same moment both
 * pass the check, and the second move overwrites the first file (seen with
 * a double-click). Renames into one server are therefore made one at a
 * time in this process. Two replicas of the service can still race, as
 * can a user saving under that very name in the same millisecond; only a
 * no-clobber rename in jupyter-server (link + unlink, or O_EXCL) would
 * close that, and the Contents API offers none.
 */
const renameQueues = new Map<string, Promise<unknown>>();

/** Run `task` after every earlier rename into the same server. */
async function oneRenameAtATime<T>(
  target: IServerRef,
  task: () => Promise<T>
): Promise<T> {
  const key = `${target.user}\0${target.server}`;
  const previous = renameQueues.get(key) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(task);
  const tail = run.catch(() => undefined);
  renameQueues.set(key, tail);
  try {
    return await run;
  } finally {
    if (renameQueues.get(key) === tail) {
      renameQueues.delete(key);
    }
  }
}

/** Rename the finished file to its name, or the first free suffixed one. */
async function renameToFreeName(
  contents: ContentsClient,
  target: IServerRef,
  temporary: string,
  name: string
): Promise<string> {
  return oneRenameAtATime(target, () =>
    renameInTurn(contents, target, temporary, name)
  );
}

async function renameInTurn(
  contents: ContentsClient,
  target: IServerRef,
  temporary: string,
  name: string
): Promise<string> {
  for (let attempt = 0; attempt < MAX_NAME_ATTEMPTS; attempt++) {
    const candidate = copyName(name, attempt);
    if ((await contents.rename(target, temporary, candidate)) === 'renamed') {
      return candidate;
    }
  }
  throw new HttpError(
    409,
    'no_free_name',
    `Your server already has ${MAX_NAME_ATTEMPTS} copies of "${name}".` +
      ' Rename or delete some of them, then open the link again.',
    'Too many copies'
  );
}

/** A failed read: the sender's server stopped or the stream broke. */
function readFailed(
  err: unknown,
  request: ICopyRequest,
  logger: ILogger,
  context: Record<string, unknown>
): HttpError {
  logger.warn('reading the shared file failed', {
    ...context,
    error: err instanceof Error ? err.message : String(err)
  });
  return new HttpError(
    502,
    'copy_interrupted',
    `Reading the file from ${request.source.user}'s server stopped halfway` +
      ' (their server may have stopped). Nothing was saved in your server;' +
      ' try again.',
    'The copy was interrupted'
  );
}

/** Reads a byte stream in chunks of exactly `size` bytes (the last less). */
export class ChunkReader {
  constructor(stream: ReadableStream<Uint8Array>, size: number) {
    this._reader = stream.getReader();
    this._size = size;
  }

  /** The next chunk, or undefined at the end of the stream. */
  async read(): Promise<Buffer | undefined> {
    const parts: Buffer[] = [];
    let length = 0;
    if (this._rest) {
      parts.push(this._rest);
      length = this._rest.length;
      this._rest = undefined;
    }
    while (length < this._size && !this._done) {
      const { done, value } = await this._reader.read();
      if (done) {
        this._done = true;
        break;
      }
      parts.push(Buffer.from(value.buffer, value.byteOffset, value.length));
      length += value.length;
    }
    if (length === 0) {
      return undefined;
    }
    const all = parts.length === 1 ? parts[0] : Buffer.concat(parts, length);
    if (all.length > this._size) {
      this._rest = Buffer.from(all.subarray(this._size));
      return all.subarray(0, this._size);
    }
    return all;
  }

  private _reader: ReadableStreamDefaultReader<Uint8Array>;
  private _size: number;
  private _rest: Buffer | undefined;
  private _done = false;
}
