/**
 * When a new link expires: from `expires_in` or `expires_at` in a request,
 * the service's default otherwise, and never later than its maximum.
 * Everything is computed in UTC, whatever the machine's time zone.
 */
import { HttpError } from './errors';

/** The expiry bounds of the service, in seconds. */
export interface IExpiryLimits {
  defaultSeconds: number;
  maxSeconds: number;
}

/** A resolved expiry. */
export interface IExpiry {
  /** When the link expires, on a whole second. */
  expiresAt: Date;
  /** Whether the request asked for longer than the maximum. */
  capped: boolean;
}

const EXAMPLE =
  'Send "expires_in" as a number of seconds (such as 86400) or "expires_at"' +
  ' as an ISO 8601 time with its zone (such as "2026-12-31T17:00:00Z").';

function invalid(message: string): HttpError {
  return new HttpError(400, 'invalid_request', `${message} ${EXAMPLE}`);
}

/**
 * ISO 8601 date and time with an explicit zone: `Z` or `±hh:mm` (`±hhmm`).
 * A time without a zone would be read in the service's own zone: refused.
 */
const ISO_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/**
 * The instant an ISO 8601 string with a zone names, computed without the
 * machine's time zone; undefined when it is not such a string or names no
 * real time (February 30th, 25:00).
 */
export function parseIsoInstant(text: string): Date | undefined {
  const match = ISO_WITH_ZONE.exec(text);
  if (!match) {
    return undefined;
  }
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number);
  const second = Number(match[6] ?? '0');
  const millis = Number((match[7] ?? '0').padEnd(3, '0').slice(0, 3));
  const offsetHours = Number(match[10] ?? '0');
  const offsetMinutes = Number(match[11] ?? '0');
  if (
    month < 1 ||
    month > 12 ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59
  ) {
    return undefined;
  }
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Date.UTC rolls February 30th over into March: refuse such days.
  if (new Date(local).getUTCDate() !== day) {
    return undefined;
  }
  const sign = match[9] === '-' ? -1 : 1;
  const offsetMs = sign * (offsetHours * 60 + offsetMinutes) * 60000;
  return new Date(local - offsetMs);
}

/**
 * The expiry of a link asked for in `body` at `now`.
 *
 * @throws HttpError 400 `invalid_request` for an expiry that is malformed,
 *   given twice, or already past, with an example of a good one. A lifetime
 *   longer than the maximum is not an error: it is cut to the maximum.
 */
export function resolveExpiry(
  body: { expires_in?: unknown; expires_at?: unknown },
  limits: IExpiryLimits,
  now: Date = new Date()
): IExpiry {
  const { expires_in: expiresIn, expires_at: expiresAt } = body;
  const nowSeconds = Math.floor(now.getTime() / 1000);

  let requestedSeconds: number;
  if (expiresIn !== undefined && expiresAt !== undefined) {
    throw invalid('Give either "expires_in" or "expires_at", not both.');
  } else if (expiresIn !== undefined) {
    if (
      typeof expiresIn !== 'number' ||
      !Number.isInteger(expiresIn) ||
      expiresIn <= 0
    ) {
      throw invalid('"expires_in" must be a whole number of seconds above 0.');
    }
    requestedSeconds = expiresIn;
  } else if (expiresAt !== undefined) {
    const instant =
      typeof expiresAt === 'string' ? parseIsoInstant(expiresAt) : undefined;
    if (!instant) {
      throw invalid(
        '"expires_at" must be an ISO 8601 time with a zone (Z or +hh:mm).'
      );
    }
    requestedSeconds = Math.floor(instant.getTime() / 1000) - nowSeconds;
    if (requestedSeconds <= 0) {
      throw invalid(`"expires_at" (${expiresAt}) is not in the future.`);
    }
  } else {
    requestedSeconds = limits.defaultSeconds;
  }

  const capped = requestedSeconds > limits.maxSeconds;
  const seconds = capped ? limits.maxSeconds : requestedSeconds;
  return { expiresAt: new Date((nowSeconds + seconds) * 1000), capped };
}
