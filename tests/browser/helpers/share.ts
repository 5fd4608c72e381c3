/**
 * The share-link journey in the browser: the sender's "Copy Share Link"
 * dialog, the recipient's confirmation and progress pages, and links made
 * wrong on purpose (expired, altered).
 */
import { join } from 'node:path';
import { Locator, Page } from 'playwright-core';

import { IHub, ROOT } from '../../harness/hub';
import { Person } from './browser';
import { isHubLoginPage, logInOnHubPage, SPAWN_TIMEOUT } from './hubPages';
import { ILabLocation, LAB_TIMEOUT, labLocation, listingItem } from './lab';

/** A JWT inside a link: three base64url parts. */
const TOKEN_PATTERN =
  /[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/;

/** The share dialog's panel. */
export function shareDialog(page: Page): Locator {
  return page.locator('.jp-Dialog .jp-ShareLink-panel');
}

/** What the sender got from the dialog. */
export interface ICopiedLink {
  /** The link as the dialog's field shows it. */
  shown: string;
  /** The link as read back from the clipboard. */
  clipboard: string;
}

/**
 * Right-click a file in the file browser, pick "Copy Share Link", choose
 * an expiry by its label, create the link and copy it. `beforeCopy` runs
 * with the link shown (to photograph the dialog).
 */
export async function copyShareLink(
  page: Page,
  fileName: string,
  expiryLabel: string,
  beforeCopy: (dialog: Locator) => Promise<void> = async () => undefined
): Promise<ICopiedLink> {
  await listingItem(page, fileName).click({ button: 'right' });
  const entry = page.locator(
    '.lm-Menu-item[data-command="share-link:copy-link"]'
  );
  await entry.waitFor();
  if ((await entry.getAttribute('aria-disabled')) === 'true') {
    throw new Error(`"Copy Share Link" is disabled for ${fileName}`);
  }
  // JupyterLab's own "Copy Shareable Link" (a link into the sender's own
  // server) must not sit beside ours.
  const theirs = page.locator(
    '.lm-Menu-item[data-command="filebrowser:share-main"]:visible'
  );
  if (await theirs.count()) {
    throw new Error('JupyterLab\'s own "Copy Shareable Link" is in the menu');
  }
  await entry.click();

  const panel = shareDialog(page);
  await panel.and(page.locator('[data-state="ready"]')).waitFor();
  await panel
    .locator('[data-testid="share-link-file-name"]')
    .getByText(fileName, { exact: true })
    .waitFor();
  if (await panel.locator('[data-testid="share-link-unsaved"]').isVisible()) {
    throw new Error(
      `the dialog says the saved ${fileName} has unsaved changes`
    );
  }
  await panel
    .locator('[data-testid="share-link-expiry"]')
    .selectOption({ label: expiryLabel });
  await panel.locator('[data-testid="share-link-create"]').click();
  await panel.and(page.locator('[data-state="created"]')).waitFor();

  const shown = await panel
    .locator('[data-testid="share-link-url"]')
    .inputValue();
  await beforeCopy(page.locator('.jp-Dialog-content'));
  await panel.locator('[data-testid="share-link-copy"]').click();
  await panel
    .locator('[data-testid="share-link-copied"]')
    .getByText('Copied', { exact: true })
    .waitFor();
  const clipboard = await page.evaluate(() => navigator.clipboard.readText());
  return { shown, clipboard };
}

/** Close the JupyterLab dialog on the page. */
export async function closeDialog(page: Page): Promise<void> {
  await page
    .locator('.jp-Dialog')
    .getByRole('button', { name: 'Close' })
    .last()
    .click();
  await page.locator('.jp-Dialog').waitFor({ state: 'detached' });
}

/** One update the progress page showed. */
export interface IProgressUpdate {
  /** The phase: `spawn`, `copy` or `done` (none before the first event). */
  phase: string;
  /** The message under the bar. */
  message: string;
  /** The bar, 0-100: the Hub's spawn events fill 0-80, the copy 80-100. */
  percent: number;
}

/** What the recipient saw on the way to the copy. */
export interface IOpenedCopy {
  /** Where JupyterLab opened the copy. */
  location: ILabLocation & { file: string };
  /** Whether the Hub's login form came first. */
  loggedIn: boolean;
  /** The expiry the confirmation page announced. */
  expiresAt: Date;
  /** What the progress page showed, in order. */
  progress: IProgressUpdate[];
}

/** Hooks to photograph the pages on the way. */
export interface IOpenHooks {
  /** On the confirmation page, before "Open a copy". */
  confirmation?: (page: Page) => Promise<void>;
  /** On the progress page, as soon as it shows progress. */
  progress?: (page: Page) => Promise<void>;
}

/**
 * Open a link as the recipient: log in at the Hub if it asks, check the
 * confirmation page names the file (and not its folder), click "Open a
 * copy", follow the progress page, and wait for JupyterLab to open the copy.
 * An error the progress page shows fails at once, with its text.
 */
export async function openLinkAsRecipient(
  recipient: Person,
  hub: IHub,
  link: string,
  fileName: string,
  folder: string,
  hooks: IOpenHooks = {}
): Promise<IOpenedCopy> {
  const page = await recipient.page();
  await page.goto(link);

  const loggedIn = isHubLoginPage(page, hub);
  if (loggedIn) {
    await recipient.shot('hub-login');
    await logInOnHubPage(page, hub, recipient.name);
  }

  // Back at the link: the confirmation page.
  await page.waitForURL(url => url.href.startsWith(hub.serviceUrl));
  const open = page.getByRole('button', { name: 'Open a copy' });
  await open.waitFor();
  const shownName = await page.locator('#file-name').innerText();
  if (shownName !== fileName) {
    throw new Error(
      `the confirmation page names "${shownName}", not ${fileName}`
    );
  }
  if ((await page.locator('body').innerText()).includes(`${folder}/`)) {
    throw new Error(`the confirmation page reveals the folder ${folder}/`);
  }
  const expiresAt = new Date(
    (await page.locator('#expires time').getAttribute('datetime')) ?? ''
  );
  await hooks.confirmation?.(page);

  const progress = await recordProgress(page);
  await open.click();
  await page.locator('#progress').waitFor();
  await hooks.progress?.(page);

  const landed = page
    .waitForURL(url => labLocation(hub, url.href) !== null, {
      timeout: SPAWN_TIMEOUT + LAB_TIMEOUT
    })
    .then(() => null);
  const failed = page
    .locator('#error')
    .waitFor({ timeout: SPAWN_TIMEOUT + LAB_TIMEOUT })
    .then(() => page.locator('#error').innerText())
    .catch(() => null);
  const error = await Promise.race([landed, failed]);
  if (error !== null) {
    throw new Error(`the progress page shows an error: ${error}`);
  }

  const location = labLocation(hub, page.url());
  if (!location || location.file === null) {
    throw new Error(
      `JupyterLab opened no file: ${new URL(page.url()).pathname}`
    );
  }
  return {
    location: { ...location, file: location.file },
    loggedIn,
    expiresAt,
    progress
  };
}

/** Pages whose progress updates are already reported to the test. */
const reporting = new WeakMap<Page, IProgressUpdate[]>();

/**
 * Start recording what the confirmation page's progress area shows; the
 * returned list fills as the page changes.
 */
async function recordProgress(page: Page): Promise<IProgressUpdate[]> {
  const updates: IProgressUpdate[] = [];
  const known = reporting.has(page);
  reporting.set(page, updates);
  if (!known) {
    await page.exposeFunction(
      'shareLinkTestProgress',
      (phase: string, message: string, percent: number) => {
        reporting.get(page)?.push({ phase, message, percent });
      }
    );
  }

  await page.evaluate(() => {
    const area = document.getElementById('progress');
    const text = document.getElementById('progress-message');
    const bar = document.getElementById('progress-bar');
    if (!area || !text || !(bar instanceof HTMLProgressElement)) {
      return;
    }
    const report = (
      window as unknown as {
        shareLinkTestProgress: (
          phase: string,
          message: string,
          percent: number
        ) => void;
      }
    ).shareLinkTestProgress;
    let last = '';
    new MutationObserver(() => {
      const now = `${area.dataset.phase ?? ''}\n${text.textContent ?? ''}`;
      if (now !== last) {
        last = now;
        report(area.dataset.phase ?? '', text.textContent ?? '', bar.value);
      }
    }).observe(area, {
      attributes: true,
      childList: true,
      characterData: true,
      subtree: true
    });
  });
  return updates;
}

/** The link's token (the JWT inside it). */
export function linkToken(link: string): string {
  const match = TOKEN_PATTERN.exec(link);
  if (!match) {
    throw new Error('the link holds no token');
  }
  return match[0];
}

/**
 * The link with one character of its token's signature changed: what a
 * mangled copy-paste gives.
 */
export function alteredLink(link: string): string {
  const token = linkToken(link);
  const at = token.lastIndexOf('.') + 10;
  const swapped = token[at] === 'A' ? 'B' : 'A';
  const altered = token.slice(0, at) + swapped + token.slice(at + 1);
  return link.replace(token, altered);
}

/**
 * A genuine link to the same file that expired an hour ago, signed with
 * the Hub's own keys through the service's built code.
 */
export function expiredLink(
  hub: IHub,
  link: string,
  claims: {
    sender: string;
    server: string;
    path: string;
    environment: Record<string, unknown>;
  }
): string {
  // The built service (tests run it, so it is built); loaded at run time
  // because it is plain JavaScript outside the tests' TypeScript project.
  const dist = join(ROOT, 'packages', 'service', 'dist');
  /* eslint-disable @typescript-eslint/no-require-imports */
  const links = require(
    join(dist, 'links.js')
  ) as typeof import('../../../packages/service/src/links');
  const keys = require(
    join(dist, 'keys.js')
  ) as typeof import('../../../packages/service/src/keys');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const ring = keys.loadKeyRing(join(hub.stateDir, 'share-link-keys.json'));
  const hourAgo = new Date(Date.now() - 3600 * 1000);
  const token = links.mintLink(ring, claims, hourAgo, {
    audience: links.audienceFor(
      hub.origin,
      `${hub.baseUrl}services/share-link/`
    ),
    now: new Date(hourAgo.getTime() - 3600 * 1000)
  });
  return link.replace(linkToken(link), token);
}
