/**
 * A minimal browser for the benchmarks: a cookie jar, redirects followed by
 * hand on the Hub's origin, the Hub's login form, and the share link's
 * confirmation and open requests.
 */
import { IHub } from '../../../tests/harness/hub';

/** One event of the service's NDJSON open reply. */
export type OpenEvent = Record<string, unknown> & { phase?: string };

/** A browser of one person, logged in to the Hub. */
export class Browser {
  constructor(readonly hub: IHub) {}

  /** Cookies by name. */
  readonly cookies = new Map<string, string>();

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
      if (!value || attributes.some(a => /^\s*max-age=0\s*$/i.test(a))) {
        this.cookies.delete(name);
      } else {
        this.cookies.set(name, value);
      }
    }
    return res;
  }

  /** GET `url`, following redirects that stay on the Hub's origin. */
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
        throw new Error(`redirected off the Hub to ${next.origin}`);
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
      throw new Error(`logging in as ${user} failed: ${res.status}`);
    }
  }

  /**
   * Open a link's confirmation page (logging in to the service through the
   * Hub's OAuth on the first visit) and return its form's CSRF token.
   */
  async confirm(link: string): Promise<string> {
    const { res } = await this.follow(link);
    const html = await res.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (res.status !== 200 || !csrf) {
      throw new Error(`no confirmation page for ${link}: ${res.status}`);
    }
    return csrf;
  }

  /**
   * Press "Open a copy" without script: the service answers with a 303 to
   * the copy once it is made.
   *
   * @returns the Location of the 303.
   * @throws when the reply is anything else.
   */
  async open(link: string, csrf: string): Promise<string> {
    const res = await this.fetch(link, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf })
    });
    const location = res.headers.get('Location');
    if (res.status !== 303 || !location) {
      const text = await res.text();
      const message = /<p[^>]*>([^<]+)<\/p>/.exec(text)?.[1] ?? '';
      throw new Error(`open answered ${res.status}: ${message}`);
    }
    await res.body?.cancel();
    return location;
  }

  /** Press "Open a copy" as the page's script does: NDJSON events. */
  async openStreaming(link: string, csrf: string): Promise<OpenEvent[]> {
    const res = await this.fetch(link, {
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
        events.push(JSON.parse(buffered.slice(0, end)) as OpenEvent);
        buffered = buffered.slice(end + 1);
      }
    }
    return events;
  }
}
