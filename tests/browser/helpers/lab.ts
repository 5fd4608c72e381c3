/**
 * JupyterLab as a person uses it: the file browser, a notebook, saving, and
 * reading back what the server holds (through the Contents API, with the
 * tests' admin token) to check what the UI claims.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Locator, Page } from 'playwright-core';

import { encodePath, serverUrl } from '../../harness/api';
import { IHub, sleep } from '../../harness/hub';

/** How long JupyterLab may take to load on a busy two-core machine. */
export const LAB_TIMEOUT = 60000;

/** Where a page is in a user's JupyterLab: server name and opened file. */
export interface ILabLocation {
  /** The user whose server it is. */
  user: string;
  /** The server's name (`''` for the default one). */
  server: string;
  /** The file opened with `lab/tree/<path>`, decoded, or null. */
  file: string | null;
}

/** The lab location of a URL, or null if it is not a JupyterLab page. */
export function labLocation(hub: IHub, url: string): ILabLocation | null {
  const path = new URL(url).pathname;
  const prefix = `${hub.baseUrl}user/`;
  if (!path.startsWith(prefix)) {
    return null;
  }
  const parts = path.slice(prefix.length).split('/');
  const user = decodeURIComponent(parts[0]);
  let rest = parts.slice(1);
  let server = '';
  if (rest[0] !== 'lab') {
    server = decodeURIComponent(rest[0] ?? '');
    rest = rest.slice(1);
  }
  if (rest[0] !== 'lab') {
    return null;
  }
  const file =
    rest[1] === 'tree' && rest.length > 2
      ? rest.slice(2).map(decodeURIComponent).join('/')
      : null;
  return { user, server, file };
}

/** Wait until JupyterLab has loaded and shows its file browser. */
export async function waitForLab(page: Page): Promise<void> {
  await page
    .locator('#jupyterlab-splash')
    .waitFor({ state: 'detached', timeout: LAB_TIMEOUT });
  await page
    .locator('.jp-FileBrowser .jp-DirListing-content')
    .waitFor({ timeout: LAB_TIMEOUT });
}

/** A file or folder in the visible file browser listing. */
export function listingItem(page: Page, name: string): Locator {
  return page.locator('.jp-FileBrowser .jp-DirListing-item').filter({
    has: page.locator('.jp-DirListing-itemText', {
      hasText: new RegExp(`^${escapeRegExp(name)}$`)
    })
  });
}

/**
 * Create an empty folder and an empty Python notebook in it through the
 * Contents API, with the page's own token, as JupyterLab's own calls do.
 *
 * Why not "New Folder" and "New Notebook" then a rename: jupyter-server
 * answers a folder listing 404 when a file in it is renamed while it is
 * listed, so JupyterLab's periodic refresh now and then shows "Directory
 * not found" right after the rename. Opening, editing and saving stay in
 * the UI.
 */
export async function createEmptyNotebook(
  page: Page,
  folder: string,
  file: string
): Promise<void> {
  const statuses = await page.evaluate(
    async ({ folder, file }) => {
      const data = document.getElementById('jupyter-config-data');
      const config = JSON.parse(data?.textContent ?? '{}') as {
        baseUrl: string;
        token: string;
      };
      const put = async (path: string, model: unknown) => {
        const encoded = path.split('/').map(encodeURIComponent).join('/');
        const res = await fetch(`${config.baseUrl}api/contents/${encoded}`, {
          method: 'PUT',
          headers: {
            Authorization: `token ${config.token}`,
            'Content-Type': 'application/json'
          },
          body: JSON.stringify(model)
        });
        return res.status;
      };
      const notebook = {
        cells: [
          {
            cell_type: 'code',
            source: '',
            metadata: {},
            outputs: [],
            execution_count: null
          }
        ],
        metadata: {
          kernelspec: {
            name: 'python3',
            display_name: 'Python 3 (ipykernel)',
            language: 'python'
          }
        },
        nbformat: 4,
        nbformat_minor: 5
      };
      return [
        await put(folder, { type: 'directory' }),
        await put(`${folder}/${file}`, {
          type: 'notebook',
          format: 'json',
          content: notebook
        })
      ];
    },
    { folder, file }
  );
  if (statuses.some(status => status !== 201)) {
    throw new Error(`creating ${folder}/${file} answered ${statuses}`);
  }
  await page
    .locator('.jp-FileBrowser [data-command="filebrowser:refresh"]')
    .click();
  await listingItem(page, folder).waitFor();
}

/** Open a folder of the listing in the file browser. */
export async function openFolder(page: Page, name: string): Promise<void> {
  await listingItem(page, name).dblclick();
  await page
    .locator('.jp-FileBrowser .jp-BreadCrumbs')
    .getByText(name, { exact: true })
    .waitFor();
}

/**
 * Open a notebook of the listing; resolves once its first cell's editor
 * shows and its kernel is idle.
 */
export async function openNotebook(page: Page, name: string): Promise<void> {
  await listingItem(page, name).dblclick();
  await currentTab(page).getByText(name, { exact: true }).waitFor();
  await page
    .locator('.jp-NotebookPanel:visible .jp-Cell .cm-content')
    .first()
    .waitFor({ timeout: LAB_TIMEOUT });
  // Once the kernel is idle JupyterLab has written its language into the
  // notebook's metadata; a save before that leaves the notebook dirty.
  await page
    .locator('#jp-main-statusbar')
    .getByText(/\| Idle$/)
    .waitFor({ timeout: LAB_TIMEOUT });
}

/** Replace the text of the current notebook's first cell. */
export async function setFirstCellText(
  page: Page,
  text: string
): Promise<void> {
  const editor = page
    .locator('.jp-NotebookPanel:visible .jp-Cell .cm-content')
    .first();
  await editor.click();
  await page.keyboard.press('Control+a');
  // insertText types no key events, so no auto-closed brackets or quotes.
  await page.keyboard.insertText(text);
  await waitUntil(
    async () => (await editor.innerText()).trim() === text,
    10000,
    'the cell to show the typed text'
  );
}

/** Save the current document with Ctrl+S and wait until it is clean. */
export async function saveWithKeyboard(page: Page): Promise<void> {
  await page.keyboard.press('Control+s');
  await waitUntil(
    async () =>
      !(await currentTab(page).getAttribute('class'))?.includes('jp-mod-dirty'),
    10000,
    'the saved document to show no unsaved changes'
  );
}

/**
 * Fail if JupyterLab shows a dialog (its errors come as dialogs: "File
 * Load Error", "Server Connection Error") or an error notification.
 */
export async function expectNoLabErrors(page: Page): Promise<void> {
  const dialog = page.locator('.jp-Dialog');
  if (await dialog.count()) {
    throw new Error(
      `JupyterLab shows a dialog: ${await dialog.first().innerText()}`
    );
  }
  const toast = page.locator('.Toastify__toast--error');
  if (await toast.count()) {
    throw new Error(
      `JupyterLab shows an error: ${await toast.first().innerText()}`
    );
  }
}

/** The tab of the current document. */
export function currentTab(page: Page): Locator {
  return page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current');
}

/**
 * Keep JupyterLab from asking about news in a user's future sessions (the
 * question would sit over the pages in every screenshot).
 */
export function declineNews(hub: IHub, user: string): void {
  const dir = join(
    hub.stateDir,
    'users',
    user,
    '.jupyter',
    'lab',
    'user-settings',
    '@jupyterlab',
    'apputils-extension'
  );
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'notification.jupyterlab-settings'),
    JSON.stringify({ fetchNews: 'false' })
  );
}

/** The text of a file in a user's server, read with the admin token. */
export async function readServerFile(
  hub: IHub,
  user: string,
  server: string,
  path: string
): Promise<string> {
  const res = await fetch(
    `${serverUrl(hub, user, server)}api/contents/${encodePath(path)}` +
      '?type=file&format=text&content=1',
    { headers: { Authorization: `token ${hub.adminToken}` } }
  );
  if (res.status !== 200) {
    throw new Error(`reading ${user}/${server}:${path} answered ${res.status}`);
  }
  const model = (await res.json()) as { content: string };
  return model.content;
}

/** The visible files below a user's home folder, as sorted relative paths. */
export function homeFiles(hub: IHub, user: string): string[] {
  const home = join(hub.stateDir, 'users', user);
  let entries: string[];
  try {
    entries = readdirSync(home, { recursive: true }) as string[];
  } catch {
    return [];
  }
  return entries
    .filter(path => !path.split('/').some(part => part.startsWith('.')))
    .sort();
}

/** Poll `check` until it holds; fail with `what` after `timeoutMs`. */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) {
        return;
      }
    } catch {
      // Not yet: a server starting, a page loading.
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(250);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
