/**
 * Errors that carry an HTTP status and a message a person can act on.
 */

/** An error to show to the caller, with its HTTP status. */
export class HttpError extends Error {
  /**
   * @param status - the HTTP status of the reply
   * @param code - a stable, machine-readable name for the failure
   * @param message - what happened and what to do, for a person
   * @param title - a short heading for the error page
   */
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly title: string = defaultTitle(status)
  ) {
    super(message);
    this.name = 'HttpError';
  }

  /** Seconds after which the request may be retried, if known. */
  retryAfter?: number;

  /** Set {@link retryAfter}, for chaining. */
  withRetryAfter(seconds: number | undefined): this {
    this.retryAfter = seconds;
    return this;
  }
}

/** A short heading for an HTTP status. */
function defaultTitle(status: number): string {
  if (status === 401) {
    return 'Please log in';
  }
  if (status === 403) {
    return 'Not allowed';
  }
  if (status === 404) {
    return 'Not found';
  }
  if (status === 410) {
    return 'This link has expired';
  }
  if (status === 429) {
    return 'Too many requests';
  }
  if (status >= 500) {
    return 'Something went wrong';
  }
  return 'This request cannot be completed';
}
