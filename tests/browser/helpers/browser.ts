/**
 * Debian's Chromium through playwright-core: launching it, one browser
 * context per person, screenshots of every step, and a watch on the errors
 * pages report (console errors of the extension, uncaught page errors,
 * error pages where none is expected).
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  Browser,
  BrowserContext,
  chromium,
  ConsoleMessage,
  Page,
  Response
} from 'playwright-core';

import { ROOT } from '../../harness/hub';

/** Where screenshots go: `test-artifacts/browser/<test>/<step>.png`. */
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'browser');

/** The viewport of every page. */
export const VIEWPORT = { width: 1280, height: 800 };

/** Screenshots above this size are taken again as JPEG. */
const MAX_SCREENSHOT_BYTES = 200 * 1024;

/** Start a headless Chromium; every context it makes has a fresh profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.SHARE_LINK_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage'
    ]
  });
}

/** A problem a page reported that fails the test. */
export interface IPageProblem {
  /** Who saw it (the person's name). */
  who: string;
  /** What kind: a console error, an uncaught error, an error page. */
  kind: 'console' | 'pageerror' | 'error-page';
  /** The text or the address. */
  text: string;
}

/**
 * One person's browser context: its pages are watched for problems, and
 * its steps are photographed into the test's artifact folder.
 */
export class Person {
  constructor(
    /** The Hub user name. */
    readonly name: string,
    /** The browser context (cookies, clipboard permission). */
    readonly context: BrowserContext,
    /** The test's recorder. */
    readonly recorder: Recorder,
    /** Pages below this address are ours: any console error there counts. */
    readonly ourPages: string
  ) {
    context.on('page', page => this.watch(page));
  }

  /** The person's page (the first one, opened on demand). */
  async page(): Promise<Page> {
    const existing = this.context.pages()[0];
    if (existing) {
      return existing;
    }
    const page = await this.context.newPage();
    return page;
  }

  /**
   * Let `url` answer with an HTTP error without failing the test (an
   * expired link's page answers 410, for instance).
   */
  expectErrorPageAt(url: string): void {
    this._expectedErrorPages.add(url);
  }

  /** Screenshot the person's page as step `step`. */
  async shot(step: string): Promise<string> {
    return this.recorder.shot(await this.page(), `${this.name}-${step}`);
  }

  /** Start watching a page for problems. */
  private watch(page: Page): void {
    page.on('console', (message: ConsoleMessage) => {
      // Our pages' errors and our extension's: JupyterLab's own console
      // noise (a kernel spec warning) is not ours to judge.
      const where = message.location().url;
      if (
        message.type() === 'error' &&
        (/share.?link/i.test(message.text()) ||
          page.url().startsWith(this.ourPages)) &&
        !(where && this._expectedErrorPages.has(where))
      ) {
        this.recorder.problem(
          this.name,
          'console',
          `${message.text()}${where ? ` (${redact(where)})` : ''}`
        );
      }
    });
    page.on('pageerror', (error: Error) => {
      this.recorder.problem(
        this.name,
        'pageerror',
        `${error.name}: ${error.message}`
      );
    });
    page.on('response', (response: Response) => {
      const request = response.request();
      if (response.status() >= 400) {
        this.recorder.note(
          `${this.name} ${request.method()} ${redact(response.url())} → ${response.status()}`
        );
      }
      if (
        request.isNavigationRequest() &&
        request.frame() === page.mainFrame() &&
        response.status() >= 400 &&
        !this._expectedErrorPages.has(response.url())
      ) {
        this.recorder.problem(
          this.name,
          'error-page',
          `${response.status()} ${redact(response.url())}`
        );
      }
    });
  }

  private readonly _expectedErrorPages = new Set<string>();
}

/**
 * A test's screenshots and problems. Screenshots are small PNGs (JPEG at
 * quality 70 when a PNG would be too big); problems fail the test when it
 * checks them.
 */
export class Recorder {
  constructor(
    /** The test's folder name under test-artifacts/browser/. */
    readonly testName: string
  ) {
    this.dir = join(ARTIFACTS, testName);
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
  }

  /** The test's artifact folder. */
  readonly dir: string;

  /** Screenshot a page; returns the file written. */
  async shot(page: Page, step: string): Promise<string> {
    const base = join(
      this.dir,
      `${String(++this._count).padStart(2, '0')}-${slug(step)}`
    );
    const png = `${base}.png`;
    await page.screenshot({ path: png, type: 'png', timeout: 15000 });
    if (statSync(png).size <= MAX_SCREENSHOT_BYTES) {
      return png;
    }
    rmSync(png);
    const jpeg = `${base}.jpg`;
    await page.screenshot({
      path: jpeg,
      type: 'jpeg',
      quality: 70,
      timeout: 15000
    });
    return jpeg;
  }

  /** Record a problem a page reported. */
  problem(who: string, kind: IPageProblem['kind'], text: string): void {
    this.problems.push({ who, kind, text });
  }

  /**
   * Note something that is not a fault by itself (JupyterLab probes for
   * files that may not exist) but explains one: the last notes are added
   * to a failed step's error.
   */
  note(text: string): void {
    this.notes.push(text);
    this.notes.splice(0, this.notes.length - 20);
  }

  /** The latest notes. */
  readonly notes: string[] = [];

  /** Throw if any page reported a problem since the last check. */
  assertNoProblems(): void {
    const problems = this.problems.splice(0);
    if (problems.length) {
      throw new Error(
        'pages reported problems:\n' +
          problems.map(p => `  ${p.who} ${p.kind}: ${p.text}`).join('\n')
      );
    }
  }

  /** Problems reported and not yet checked. */
  readonly problems: IPageProblem[] = [];

  private _count = 0;
}

/**
 * A new context for `name`, with a fresh profile and the test viewport;
 * console errors on pages below `ourPages` fail the test.
 */
export async function newPerson(
  browser: Browser,
  name: string,
  recorder: Recorder,
  ourPages: string
): Promise<Person> {
  const context = await browser.newContext({
    viewport: VIEWPORT,
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'UTC'
  });
  return new Person(name, context, recorder, ourPages);
}

/**
 * Run one step of a scenario: on failure, screenshot every page of the
 * people involved (`failed-<step>`) before the error goes on.
 */
export async function step<T>(
  recorder: Recorder,
  name: string,
  people: Person[],
  run: () => Promise<T>
): Promise<T> {
  try {
    const result = await run();
    recorder.assertNoProblems();
    return result;
  } catch (error) {
    for (const person of people) {
      for (const page of person.context.pages()) {
        try {
          await recorder.shot(page, `failed-${person.name}-${name}`);
        } catch {
          // The page may be gone; the error below is what matters.
        }
      }
    }
    const problems = recorder.problems.splice(0);
    if (problems.length && error instanceof Error) {
      error.message +=
        '\npages also reported:\n' +
        problems.map(p => `  ${p.who} ${p.kind}: ${p.text}`).join('\n');
    }
    const notes = recorder.notes.splice(0);
    if (notes.length && error instanceof Error) {
      error.message +=
        '\nlatest failed requests:\n' + notes.map(n => `  ${n}`).join('\n');
    }
    throw error;
  }
}

/** A file-name-safe form of a step's name. */
function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * An address fit for a test report: no query (OAuth codes and states) and
 * no long path segment (a link's token).
 */
export function redact(url: string): string {
  return url
    .split('?')[0]
    .split('/')
    .map(part => (part.length > 40 ? '<token>' : part))
    .join('/');
}
