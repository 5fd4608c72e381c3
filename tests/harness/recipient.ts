/**
 * A recipient's side of a share link, as a browser drives it: cookies, the
 * Hub's login form, the confirmation page, and "Open a copy" with or
 * without the page's script.
 */
import { createHash } from 'node:crypto';

import { IHub } from './hub';

/** One NDJSON event of an open, as the service sends it. */
export type OpenEvent = Record<string, unknown>;

/** A minimal browser: cookies by name, redirects followed by hand. */
export class Browser {
  constructor(readonly hub: IHub) {}

  /** The cookies the browser holds, by name. */
  cookies = new Map<string, string>();

  /** Fetch without following redirects, keeping cookies. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) {
      headers.set(
        'Cookie',
        [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
      );
    }
    const res = await fetch(new URL(url, this.hub.origin), {
      ...init,
      headers,
      redirect: 'manual'
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some(a => /^\s*max-age=0\s*$/i.test(a));
      if (expired || !value) {
        this.cookies.delete(name);
      } else {
        this.cookies.set(name, value);
      }
    }
    return res;
  }

  /** GET, following redirects on the Hub's origin only. */
  async follow(url: string): Promise<{ res: Response; url: string }> {
    let current = new URL(url, this.hub.origin).toString();
    for (let hop = 0; hop < 10; hop++) {
      const res = await this.fetch(current);
      const location = res.headers.get('Location');
      if (res.status < 300 || res.status >= 400 || !location) {
        return { res, url: current };
      }
      await res.body?.cancel();
      const next = new URL(location, current);
      if (next.origin !== this.hub.origin) {
        throw new Error(`redirected off the Hub's origin: ${next.origin}`);
      }
      current = next.toString();
    }
    throw new Error('too many redirects');
  }

  /** Log in through the Hub's own login form. */
  async login(user: string): Promise<void> {
    const form = await this.fetch(`${this.hub.url}hub/login`);
    const html = await form.text();
    const xsrf = /name="_xsrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const res = await this.fetch(`${this.hub.url}hub/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        username: user,
        password: this.hub.password,
        _xsrf: xsrf
      })
    });
    await res.body?.cancel();
    if (res.status !== 302) {
      throw new Error(`logging in as ${user} answered ${res.status}`);
    }
  }
}

/** A logged-in browser of `user`. */
export async function loggedIn(hub: IHub, user: string): Promise<Browser> {
  const browser = new Browser(hub);
  await browser.login(user);
  return browser;
}

/** A confirmation page, and its form's CSRF token. */
export async function confirmation(
  browser: Browser,
  link: string
): Promise<{ status: number; html: string; csrf: string; url: string }> {
  const { res, url } = await browser.follow(link);
  const html = await res.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  return { status: res.status, html, csrf, url };
}

/** Press "Open a copy" without script: the reply is a 303 or a page. */
export async function openWithoutScript(
  browser: Browser,
  link: string,
  csrf: string
): Promise<Response> {
  return browser.fetch(link, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf })
  });
}

/** Press "Open a copy" as the page's script does: NDJSON events. */
export async function openWithScript(
  browser: Browser,
  link: string,
  csrf: string,
  onEvent: (event: OpenEvent) => void = () => undefined
): Promise<OpenEvent[]> {
  const res = await browser.fetch(link, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/x-ndjson'
    },
    body: new URLSearchParams({ _csrf: csrf })
  });
  const events: OpenEvent[] = [];
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n')) >= 0) {
      const event = JSON.parse(buffered.slice(0, end)) as OpenEvent;
      buffered = buffered.slice(end + 1);
      events.push(event);
      onEvent(event);
    }
  }
  return events;
}

/** The sha256 of some bytes, in hex. */
export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
