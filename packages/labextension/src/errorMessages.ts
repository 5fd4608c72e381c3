/**
 * What to tell the user when sharing fails, and what they can do about it.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import { ShareLinkResponseError } from './client';

/** A sentence for the user about a failed call, saying what to do next. */
export function describeShareLinkError(
  error: unknown,
  trans: TranslationBundle
): string {
  if (!(error instanceof ShareLinkResponseError)) {
    return trans.__(
      'Something went wrong while sharing: %1. Try again, and tell your admin if it keeps happening.',
      error instanceof Error ? error.message : String(error)
    );
  }
  if (error.isServiceUnavailable) {
    return trans.__(
      'The share-link service is not available on this Hub: ask your admin to enable it.'
    );
  }
  if (error.code === 'not_under_hub') {
    return trans.__(
      'Share links need JupyterHub, and this JupyterLab is not running under a Hub.'
    );
  }
  if (error.status === 401) {
    return trans.__(
      'The share-link service did not accept your session: %1 Reload the page, log in again and retry.',
      sentence(error.message)
    );
  }
  if (error.status === 403) {
    return trans.__(
      "You don't have permission to share this file: %1 Ask your admin for access to the share-link service if you need it.",
      sentence(error.message)
    );
  }
  if (error.status === 429) {
    return trans.__(
      '%1 Wait a minute, then try again.',
      sentence(error.message)
    );
  }
  if (error.status >= 500) {
    return trans.__(
      'The share-link service failed: %1 Try again later, or ask your admin to check the service.',
      sentence(error.message)
    );
  }
  return error.message;
}

/** The message ending with a full stop, to be followed by advice. */
function sentence(message: string): string {
  const trimmed = message.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
