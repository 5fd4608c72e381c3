/**
 * Server-rendered pages for people opening links: confirmation, progress
 * and errors, styled like the Hub's own pages. Every value is escaped; no
 * inline script or style (the service's Content-Security-Policy forbids
 * them): the look is in static/share-link.css, the progress in
 * static/open.js.
 */
import { HttpError } from './errors';

/** Escape text for HTML. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A page: the Hub's header bar, a panel, and the service's assets. */
function layout(
  prefix: string,
  title: string,
  body: string,
  withScript = false
): string {
  const asset = (name: string) => escapeHtml(`${prefix}static/${name}`);
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)} - Share link</title>` +
    `<link rel="stylesheet" href="${asset('share-link.css')}">` +
    // The Hub's own icon: <base>services/<name>/ -> <base>hub/static/.
    `<link rel="icon" href="${escapeHtml(prefix)}../../hub/static/favicon.ico">` +
    (withScript ? `<script src="${asset('open.js')}" defer></script>` : '') +
    '</head><body>' +
    '<header class="sl-header"><span class="sl-brand">jupyterhub</span>' +
    '<span class="sl-service">Share link</span></header>' +
    `<main class="sl-main"><div class="sl-panel">${body}</div></main>` +
    '</body></html>'
  );
}

/** Options of {@link errorPage}. */
export interface IErrorPageOptions {
  /** The service prefix, for the stylesheet. */
  prefix?: string;
  /** Where "Try again" goes (a path under the service prefix). */
  retryUrl?: string;
}

/** A readable error page: what happened and what to do. */
export function errorPage(
  error: HttpError,
  options: IErrorPageOptions = {}
): string {
  const retry = options.retryUrl
    ? `<p><a id="retry" class="sl-button" href="${escapeHtml(
        options.retryUrl
      )}">Try again</a></p>`
    : '';
  return layout(
    options.prefix ?? '/',
    error.title,
    `<h1 id="error-title">${escapeHtml(error.title)}</h1>` +
      `<p id="error-message" class="sl-error" data-code="${escapeHtml(
        error.code
      )}">${escapeHtml(error.message)}</p>` +
      retry
  );
}

/** What the confirmation page shows. */
export interface IConfirmPage {
  /** The service prefix. */
  prefix: string;
  /** Where the form posts: the link's own path. */
  action: string;
  /** The CSRF token of the session. */
  csrfToken: string;
  /** The logged-in recipient. */
  user: string;
  sender: string;
  /** The file's name (never its folders). */
  fileName: string;
  /** The environment, for people. */
  environment: string;
  expiresAt: Date;
  /** What opening will do, in a sentence. */
  plan: string;
  now?: Date;
}

/** The confirmation page: who shared what, and one button. */
export function confirmPage(page: IConfirmPage): string {
  const now = page.now ?? new Date();
  const utc = page.expiresAt.toISOString().replace('T', ' ').slice(0, 16);
  const body =
    `<h1>Open a copy of <span id="file-name">${escapeHtml(
      page.fileName
    )}</span></h1>` +
    `<p class="sl-lead"><strong id="sender">${escapeHtml(
      page.sender
    )}</strong> shared this file with you. Opening it saves your own copy` +
    ' in your server; their file stays as it is.</p>' +
    '<dl class="sl-facts">' +
    `<dt>Environment</dt><dd id="environment">${escapeHtml(
      page.environment
    )}</dd>` +
    `<dt>Link expires</dt><dd id="expires"><time datetime="${escapeHtml(
      page.expiresAt.toISOString()
    )}">${escapeHtml(utc)} UTC</time> (${escapeHtml(
      relativeTime(page.expiresAt, now)
    )})</dd>` +
    `<dt>Logged in as</dt><dd id="user">${escapeHtml(page.user)}</dd>` +
    '</dl>' +
    `<p id="plan" class="sl-plan">${escapeHtml(page.plan)}</p>` +
    `<form id="open-form" method="post" action="${escapeHtml(page.action)}">` +
    `<input type="hidden" name="_csrf" value="${escapeHtml(page.csrfToken)}">` +
    '<button id="open-copy" type="submit" class="sl-button">Open a copy' +
    '</button></form>' +
    '<div id="progress" class="sl-progress" hidden>' +
    '<progress id="progress-bar" max="100" value="0"></progress>' +
    '<p id="progress-message" aria-live="polite"></p></div>' +
    '<div id="error" class="sl-error-box" role="alert" hidden>' +
    '<h2 id="error-title"></h2><p id="error-message"></p>' +
    `<p><a id="retry" class="sl-button" href="${escapeHtml(
      page.action
    )}" hidden>Try again</a></p></div>`;
  return layout(page.prefix, `Open ${page.fileName}`, body, true);
}

/** "in 3 hours", "in 5 minutes", "2 days ago". */
export function relativeTime(when: Date, now: Date): string {
  const seconds = Math.round((when.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const units: Array<[string, number]> = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60]
  ];
  let text = 'less than a minute';
  for (const [unit, size] of units) {
    if (abs >= size) {
      const count = Math.floor(abs / size);
      text = `${count} ${unit}${count === 1 ? '' : 's'}`;
      break;
    }
  }
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}
