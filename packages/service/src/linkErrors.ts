/**
 * What people are told when a link is refused: each LinkError fault as an
 * HttpError with a message saying what to do.
 */
import { HttpError } from './errors';
import { LinkError } from './links';

/** An instant for people: `2026-12-31 17:00 UTC`. */
export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The HttpError to answer a refused link with. Codes: `link_malformed` and
 * `link_altered` (400), `link_not_yet_valid` (400), `link_expired` and
 * `link_unknown_key` (410).
 */
export function linkErrorToHttp(err: LinkError): HttpError {
  switch (err.fault) {
    case 'expired': {
      const link = err.expired;
      const who = link ? link.sender : 'the person who sent it';
      const when = link ? ` on ${formatUtc(link.expiresAt)}` : '';
      return new HttpError(
        410,
        'link_expired',
        `This link expired${when}. Ask ${who} for a new link.`,
        'This link has expired'
      );
    }
    case 'unknown_key':
      return new HttpError(
        410,
        'link_unknown_key',
        'This link was made with a key that was retired, so it no longer' +
          ' works. Ask the person who sent it for a new link.',
        'This link no longer works'
      );
    case 'not_yet_valid':
      return new HttpError(
        400,
        'link_not_yet_valid',
        "This link is not valid yet: the clocks of the Hub's machines" +
          ' disagree. Try again in a minute; if it persists, tell your Hub' +
          ' admin.',
        'This link is not valid yet'
      );
    case 'malformed':
    case 'altered':
    default:
      return new HttpError(
        400,
        `link_${err.fault}`,
        'This link is incomplete or was altered: ask for the link again, and' +
          ' copy it whole.',
        'This link is incomplete or was altered'
      );
  }
}
