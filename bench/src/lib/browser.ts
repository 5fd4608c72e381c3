/**
 * The benchmarks' browser: the tests' recipient browser (cookie jar, the
 * Hub's login form, redirects on the Hub's origin), with the two requests
 * the benchmarks time, failing loudly on anything unexpected.
 */
import {
  Browser as RecipientBrowser,
  OpenEvent,
  confirmation,
  openWithScript,
  openWithoutScript
} from '../../../tests/harness/recipient';

export { OpenEvent };

/** A browser of one person, logged in to the Hub. */
export class Browser extends RecipientBrowser {
  /**
   * Open a link's confirmation page (logging in to the service through the
   * Hub's OAuth on the first visit) and return its form's CSRF token.
   */
  async confirm(link: string): Promise<string> {
    const page = await confirmation(this, link);
    if (page.status !== 200 || !page.csrf) {
      throw new Error(`no confirmation page for ${link}: ${page.status}`);
    }
    return page.csrf;
  }

  /**
   * Press "Open a copy" without script: the service answers with a 303 to
   * the copy once it is made.
   *
   * @returns the Location of the 303.
   * @throws when the reply is anything else.
   */
  async open(link: string, csrf: string): Promise<string> {
    const res = await openWithoutScript(this, link, csrf);
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
  openStreaming(link: string, csrf: string): Promise<OpenEvent[]> {
    return openWithScript(this, link, csrf);
  }
}
