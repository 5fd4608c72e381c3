/**
 * Which paths may be shared: checked before any request to a server, when a
 * link is made, and again when a link's claims are used.
 */
import { HttpError } from './errors';

/** Paths longer than this are refused. */
export const MAX_PATH_LENGTH = 4096;

/** A path that cannot be shared, and why. */
function notShareable(message: string): HttpError {
  return new HttpError(422, 'not_shareable', message, "This can't be shared");
}

/**
 * Check that `path` names a file the share link may carry: a relative path
 * below the server's root, without `.` or `..`, empty or hidden segments.
 *
 * @returns the path, unchanged.
 * @throws HttpError 400 `invalid_request` when it is not a non-empty string;
 *   422 `not_shareable` saying why it cannot be shared.
 */
export function checkShareablePath(path: unknown): string {
  if (typeof path !== 'string' || path === '') {
    throw new HttpError(
      400,
      'invalid_request',
      'Give "path": the file\'s path from your server\'s folder, such as' +
        ' "project/analysis.ipynb".'
    );
  }
  if (path.length > MAX_PATH_LENGTH) {
    throw notShareable(
      `The path is longer than ${MAX_PATH_LENGTH} characters: move the file` +
        ' to a shorter path to share it.'
    );
  }
  if (path.includes('\0')) {
    throw notShareable('The path contains a NUL character: no file has it.');
  }
  if (path.startsWith('/')) {
    throw notShareable(
      'Give the path from your server\'s folder (such as "project/a.ipynb"),' +
        ' not an absolute path.'
    );
  }
  if (path.endsWith('/')) {
    throw notShareable("Folders can't be shared yet: share a file.");
  }
  const segments = path.split('/');
  if (segments.includes('')) {
    throw notShareable(
      'The path has an empty part ("//"): give it as the file browser shows' +
        ' it.'
    );
  }
  if (segments.some(s => s === '.' || s === '..')) {
    throw notShareable(
      'The path may not contain "." or "..": give it from your server\'s' +
        ' folder, as the file browser shows it.'
    );
  }
  if (segments.some(s => s.startsWith('.'))) {
    throw notShareable(
      "Hidden files and files in hidden folders (.env, .ssh/...) can't be" +
        ' shared.'
    );
  }
  return path;
}

/** The last segment of a path: the file's name. */
export function fileNameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
