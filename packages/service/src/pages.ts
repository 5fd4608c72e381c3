/**
 * Server-rendered pages for people opening links: confirmation, progress
 * and errors. Every value is escaped; no inline script (the service's
 * Content-Security-Policy forbids it).
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

/** A readable error page. */
export function errorPage(error: HttpError): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    `<title>${escapeHtml(error.title)}</title></head><body>` +
    `<h1>${escapeHtml(error.title)}</h1><p>${escapeHtml(error.message)}</p>` +
    '</body></html>'
  );
}
