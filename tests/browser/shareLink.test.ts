/**
 * The whole journey in a real browser, as two people: alice shares a
 * notebook from JupyterLab, bob opens the link and lands in JupyterLab with
 * his own copy, in a server running alice's image. Against a real Hub, at
 * the root and under a prefix. Screenshots of every step go to
 * test-artifacts/browser/<hub>/.
 */
import { Browser, Page } from 'playwright-core';

import { IServerModel, serverProcessEnv, userServers } from '../harness/api';
import { IHub, startHub } from '../harness/hub';
import {
  launchChromium,
  newPerson,
  Person,
  Recorder,
  step
} from './helpers/browser';
import { logInOnHubPage, startServerFromForm } from './helpers/hubPages';
import {
  createEmptyNotebook,
  currentTab,
  declineNews,
  expectNoLabErrors,
  homeFiles,
  openFolder,
  openNotebook,
  readServerFile,
  saveWithKeyboard,
  setFirstCellText,
  waitForLab
} from './helpers/lab';
import {
  alteredLink,
  closeDialog,
  copyShareLink,
  expiredLink,
  IOpenedCopy,
  openLinkAsRecipient
} from './helpers/share';

/**
 * How long the test Hub's spawner takes to start a server, in seconds:
 * longer than the Hub's 10 s `slow_spawn_timeout`, as a real image pull
 * would, so the Hub answers "pending" and its progress events reach the
 * progress page.
 */
const SPAWN_DELAY_SECONDS = 12;

/** The image alice picks, and what a server of it runs. */
const IMAGE = 'image-b';
const IMAGE_SPEC = 'share-link-demo/data-science:2026.12';
const FOLDER = 'results';
const FILE = 'report.ipynb';
const V1 = 'print("hello from alice v1")';
const V2 = 'print("hello from alice v2")';

describe.each(['/', '/jhub/'])('share links with the Hub at %s', baseUrl => {
  let recorder: Recorder;
  let hub: IHub;
  let browser: Browser;
  let alice: Person;
  let bob: Person;

  /** What earlier steps made, for later ones. */
  const made: {
    link?: string;
    linkMadeAt?: Date;
    firstCopy?: IOpenedCopy;
    failedStep?: string;
  } = {};

  /**
   * A step of the scenario: fails outright (never silently passes) when an
   * earlier step it builds on failed, and photographs every page on failure.
   */
  const scenario = (name: string, run: () => Promise<void>) =>
    it(name, async () => {
      if (made.failedStep) {
        throw new Error(`not run: "${made.failedStep}" failed first`);
      }
      try {
        await step(recorder, name, [alice, bob], run);
      } catch (error) {
        made.failedStep = name;
        throw error;
      }
    });

  beforeAll(async () => {
    recorder = new Recorder(baseUrl === '/' ? 'hub-at-root' : 'hub-at-jhub');
    hub = await startHub({
      baseUrl,
      env: { SHARE_LINK_TEST_SPAWN_DELAY: String(SPAWN_DELAY_SECONDS) }
    });
    declineNews(hub, 'alice');
    declineNews(hub, 'bob');
    browser = await launchChromium();
    alice = await newPerson(browser, 'alice', recorder, hub.serviceUrl);
    const clipboard = ['clipboard-read', 'clipboard-write'];
    await alice.context.grantPermissions(clipboard, { origin: hub.origin });
    bob = await newPerson(browser, 'bob', recorder, hub.serviceUrl);
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  afterEach(() => {
    // Problems reported after a step's own check (a late console error).
    recorder.assertNoProblems();
  });

  scenario(
    `should let alice start ${IMAGE} and save ${FOLDER}/${FILE} in JupyterLab`,
    async () => {
      const page = await alice.page();
      await page.goto(`${hub.url}hub/spawn`);
      await alice.shot('hub-login');
      await logInOnHubPage(page, hub, 'alice');
      await alice.shot('spawn-form');
      await startServerFromForm(page, hub, 'alice', IMAGE);
      await waitForLab(page);
      await alice.shot('lab');

      const servers = await userServers(hub, 'alice');
      expect(servers['']?.user_options).toEqual(
        expect.objectContaining({ image: IMAGE })
      );

      await createEmptyNotebook(page, FOLDER, FILE);
      await openFolder(page, FOLDER);
      await openNotebook(page, FILE);
      await setFirstCellText(page, V1);
      await saveWithKeyboard(page);
      await expectNoLabErrors(page);
      await alice.shot('notebook-saved');

      const saved = await readServerFile(hub, 'alice', '', `${FOLDER}/${FILE}`);
      expect(firstCellSource(saved)).toBe(V1);
    }
  );

  scenario(
    'should copy a 1-day share link from the file browser context menu',
    async () => {
      const page = await alice.page();
      const copied = await copyShareLink(page, FILE, '1 day', async () => {
        await alice.shot('share-dialog');
      });
      await alice.shot('link-copied');
      await page.screenshot({
        path: `${recorder.dir}/readme-dialog.png`,
        type: 'png',
        clip: { x: 0, y: 0, width: 1000, height: 700 }
      });

      expect(copied.clipboard).toBe(copied.shown);
      expect(copied.shown.startsWith(hub.url)).toBe(true);
      // The link reveals nothing about alice's folders.
      expect(copied.shown).not.toContain(FOLDER);
      made.link = copied.clipboard;
      made.linkMadeAt = new Date();

      await closeDialog(page);
    }
  );

  scenario(
    `should give bob, logged out, a copy in a server running ${IMAGE}`,
    async () => {
      const link = requireValue(made.link, 'the link');
      const copy = await openLinkAsRecipient(bob, hub, link, FILE, FOLDER, {
        confirmation: async page => {
          await bob.shot('confirmation');
          await readmeShot(page, recorder, 'readme-confirmation');
        },
        progress: async page => {
          await bob.shot('progress');
          // For the README, the Hub's own words mid-spawn (its events fill
          // the bar's first 80 %), if the spawn lasts long enough to see.
          const midSpawn = await page
            .waitForFunction(
              () => {
                const bar = document.querySelector('progress');
                return !!bar && bar.value > 0 && bar.value < 80;
              },
              undefined,
              { timeout: 15000, polling: 50 }
            )
            .then(
              () => true,
              () => false
            );
          if (midSpawn) {
            await readmeShot(page, recorder, 'readme-progress');
          }
        }
      });
      if (process.env.SHARE_LINK_TEST_ECHO_PROGRESS === '1') {
        console.log(JSON.stringify(copy.progress, null, 1));
      }
      expect(copy.loggedIn).toBe(true);
      expect(copy.location.user).toBe('bob');
      // The link lasts the day alice picked.
      const madeAt = requireValue(made.linkMadeAt, 'the link').getTime();
      const day = 24 * 3600 * 1000;
      expect(Math.abs(copy.expiresAt.getTime() - (madeAt + day))).toBeLessThan(
        5 * 60 * 1000
      );
      // bob had no server: the page showed it starting, with the Hub's
      // own progress events, then the copy.
      expect(phasesOf(copy)).toEqual(['spawn', 'copy', 'done']);
      expect(
        copy.progress.filter(
          u => u.phase === 'spawn' && u.percent > 0 && u.percent < 80
        )
      ).not.toEqual([]);

      const page = await bob.page();
      await waitForLab(page);
      await expectNotebookShows(page, copy.location.file, V1);
      await bob.shot('copy-open');

      await expectServerRuns(hub, 'bob', copy.location.server);
      const original = await readServerFile(
        hub,
        'alice',
        '',
        `${FOLDER}/${FILE}`
      );
      const received = await readServerFile(
        hub,
        'bob',
        copy.location.server,
        copy.location.file
      );
      expect(received).toBe(original);
      made.firstCopy = copy;
    }
  );

  scenario(
    "should give bob a second copy with alice's saved change, keeping the first",
    async () => {
      const link = requireValue(made.link, 'the link');
      const first = requireValue(made.firstCopy, 'the first copy');

      const alicePage = await alice.page();
      await setFirstCellText(alicePage, V2);
      await saveWithKeyboard(alicePage);
      await expectNoLabErrors(alicePage);
      await alice.shot('notebook-v2-saved');
      const changed = await readServerFile(
        hub,
        'alice',
        '',
        `${FOLDER}/${FILE}`
      );
      expect(firstCellSource(changed)).toBe(V2);

      const second = await openLinkAsRecipient(bob, hub, link, FILE, FOLDER, {
        confirmation: () => bob.shot('confirmation-again').then(() => undefined)
      });
      expect(second.loggedIn).toBe(false);
      expect(phasesOf(second).slice(-2)).toEqual(['copy', 'done']);
      // The matching server is reused, and the copy gets a new name.
      expect(second.location.server).toBe(first.location.server);
      expect(second.location.file).not.toBe(first.location.file);

      const page = await bob.page();
      await waitForLab(page);
      await expectNotebookShows(page, second.location.file, V2);
      await bob.shot('second-copy-open');

      const server = second.location.server;
      const received = await readServerFile(
        hub,
        'bob',
        server,
        second.location.file
      );
      expect(received).toBe(changed);
      const firstAgain = await readServerFile(
        hub,
        'bob',
        server,
        first.location.file
      );
      expect(firstCellSource(firstAgain)).toBe(V1);
    }
  );

  scenario(
    'should show an expired link its page, and start or copy nothing',
    async () => {
      const link = requireValue(made.link, 'the link');
      const aliceServer = (await userServers(hub, 'alice'))[''];
      const expired = expiredLink(hub, link, {
        sender: 'alice',
        server: '',
        path: `${FOLDER}/${FILE}`,
        environment: aliceServer?.user_options ?? { image: IMAGE }
      });
      await expectRefusedLink(hub, bob, expired, /expired/i, 'expired-link');
    }
  );

  scenario(
    'should show an altered link its page, and start or copy nothing',
    async () => {
      const link = requireValue(made.link, 'the link');
      await expectRefusedLink(
        hub,
        bob,
        alteredLink(link),
        /altered|incomplete/i,
        'altered-link'
      );
    }
  );
});

/** The phases the progress page went through, each once, in order. */
function phasesOf(copy: IOpenedCopy): string[] {
  const phases: string[] = [];
  for (const { phase } of copy.progress) {
    if (phase && phases[phases.length - 1] !== phase) {
      phases.push(phase);
    }
  }
  return phases;
}

/** The first cell's source of a notebook file's text. */
function firstCellSource(notebookText: string): string {
  const notebook = JSON.parse(notebookText) as {
    cells: Array<{ source: string | string[] }>;
  };
  const source = notebook.cells[0]?.source ?? '';
  return Array.isArray(source) ? source.join('') : source;
}

/** JupyterLab shows `file` in the current tab with `text` in its cell. */
async function expectNotebookShows(
  page: Page,
  file: string,
  text: string
): Promise<void> {
  const name = file.split('/').pop() ?? file;
  await currentTab(page)
    .getByText(name, { exact: true })
    .waitFor({ timeout: 60000 });
  const cell = page.locator('.jp-NotebookPanel:visible .jp-Cell .cm-content');
  await cell.first().getByText(text, { exact: true }).waitFor();
  await expectNoLabErrors(page);
}

/** bob's server `server` is ready and runs alice's image. */
async function expectServerRuns(
  hub: IHub,
  user: string,
  server: string
): Promise<void> {
  const model = (await userServers(hub, user))[server];
  expect(model?.ready).toBe(true);
  expect(model?.user_options).toEqual(
    expect.objectContaining({ image: IMAGE })
  );
  expect(serverProcessEnv(hub, user, server)?.JUPYTER_IMAGE_SPEC).toBe(
    IMAGE_SPEC
  );
}

/**
 * Opening `link` shows a readable page matching `explains`, offers no
 * "Open a copy", and changes nothing for the recipient: no server started
 * or starting, no file written.
 */
async function expectRefusedLink(
  hub: IHub,
  recipient: Person,
  link: string,
  explains: RegExp,
  shot: string
): Promise<void> {
  const serversBefore = serverStates(await userServers(hub, recipient.name));
  const filesBefore = homeFiles(hub, recipient.name);

  const page = await recipient.page();
  recipient.expectErrorPageAt(link);
  const response = await page.goto(link);
  await recipient.shot(shot);
  expect(response?.status()).toBeGreaterThanOrEqual(400);
  expect(response?.status()).toBeLessThan(500);
  const text = await page.locator('body').innerText();
  expect(text).toMatch(explains);
  // A page for people: no stack trace, no "Open a copy".
  expect(text).not.toMatch(/\bat .+\.(js|ts):\d+/);
  expect(await page.getByRole('button', { name: /open a copy/i }).count()).toBe(
    0
  );

  expect(serverStates(await userServers(hub, recipient.name))).toEqual(
    serversBefore
  );
  expect(homeFiles(hub, recipient.name)).toEqual(filesBefore);
}

/** Each server's name with whether it is ready or pending. */
function serverStates(
  servers: Record<string, IServerModel>
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(servers).map(([name, model]) => [
      name,
      model.ready ? 'ready' : `pending:${model.pending}`
    ])
  );
}

/**
 * A picture for the README: the service's page laid out 1000 pixels wide,
 * down to just below its panel.
 */
async function readmeShot(
  page: Page,
  recorder: Recorder,
  name: string
): Promise<void> {
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 1000, height: 800 });
  try {
    const panel = await page.locator('.sl-panel').boundingBox();
    const height = panel ? Math.min(800, panel.y + panel.height + 40) : 800;
    await page.screenshot({
      path: `${recorder.dir}/${name}.png`,
      type: 'png',
      clip: { x: 0, y: 0, width: 1000, height }
    });
  } finally {
    if (viewport) {
      await page.setViewportSize(viewport);
    }
  }
}

/** A value an earlier step made; its absence fails the test. */
function requireValue<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new Error(`${what} is missing: an earlier step did not make it`);
  }
  return value;
}
