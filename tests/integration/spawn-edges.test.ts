/**
 * The recipient's server at the edges, against real Hubs: a Hub at its
 * spawn limit, a server already starting or still stopping, a start slower
 * than the service waits, an environment the Hub no longer offers, a
 * sender's server that is gone, a service role without start:servers.
 *
 * One Hub per configuration, all on one state folder (so users, keys and
 * files carry over, as on a Hub restarted by its admin). Spawns are slowed
 * by the demo spawner's tests-only delays (hub/local_images.py).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ContentsClient } from '../../packages/service/src/contents';
import { loadKeyRing } from '../../packages/service/src/keys';
import { audienceFor, mintLink } from '../../packages/service/src/links';
import {
  createUsers,
  hubApi,
  startServer,
  userServers,
  userToken
} from '../harness/api';
import { IHub, jupyterhubMajor, sleep, startHub } from '../harness/hub';
import {
  Browser,
  OpenEvent,
  confirmation,
  loggedIn,
  openWithScript,
  openWithoutScript,
  sha256
} from '../harness/recipient';

const NOTEBOOK = Buffer.from(
  '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'
);

/** One state folder for every Hub of this file. */
const stateDir = mkdtempSync(join(tmpdir(), 'share-link-spawn-edges-'));

afterAll(() => {
  if (!process.env.SHARE_LINK_KEEP_TEST_STATE) {
    rmSync(stateDir, { recursive: true, force: true });
  }
});

/** A user's home folder, as the demo spawner makes it. */
const home = (user: string) => join(stateDir, 'users', user);

/** A user's visible files, and any file of the service, hidden or not. */
const homeFiles = (user: string) => {
  try {
    return readdirSync(home(user))
      .filter(name => !name.startsWith('.') || name.includes('share-link'))
      .sort();
  } catch {
    return [];
  }
};

/** The last event of an open. */
const last = (events: OpenEvent[]) => events[events.length - 1];

/** Start a Hub on this file's state folder. */
const hubWith = (env: Record<string, string>) =>
  startHub({ stateDir, env, timeoutMs: 90000 });

/** A link to alice's `path` on `server`, made through the service's API. */
const share = async (
  hub: IHub,
  token: string,
  server: string,
  path: string
) => {
  const reply = await fetch(`${hub.serviceUrl}api/links`, {
    method: 'POST',
    headers: {
      Authorization: `token ${token}`,
      'Content-Type': 'application/json'
    },
    body: JSON.stringify({ server, path })
  });
  const body = (await reply.json()) as { url: string };
  expect(reply.status).toBe(201);
  return body.url;
};

/**
 * A link as the service mints it, for a server or environment alice no
 * longer has (made with the Hub's own keys and audience).
 */
const mintedLink = (
  hub: IHub,
  server: string,
  environment: Record<string, unknown>
) => {
  const keys = loadKeyRing(join(stateDir, 'share-link-keys.json'));
  const token = mintLink(
    keys,
    { sender: 'alice', server, path: 'analysis.ipynb', environment },
    new Date(Date.now() + 3600 * 1000),
    { audience: audienceFor(hub.origin, `${hub.baseUrl}services/share-link/`) }
  );
  return `${hub.serviceUrl}l/${token}`;
};

/** Open a link with the page's script, from a fresh confirmation page. */
const openAs = async (browser: Browser, link: string) => {
  const page = await confirmation(browser, link);
  expect(page.status).toBe(200);
  return openWithScript(browser, link, page.csrf);
};

/** Wait until `check` holds, polling the Hub. */
const until = async (check: () => Promise<boolean>, timeoutMs = 60000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error('timed out waiting for the Hub');
    }
    await sleep(250);
  }
};

/** The user's servers that are running or starting, by name. */
const activeServers = async (hub: IHub, user: string) =>
  Object.keys(await userServers(hub, user)).sort();

describe('a busy Hub with slow starts and stops (C16, C14)', () => {
  let hub: IHub;
  let aliceToken: string;
  let link: string;

  beforeAll(async () => {
    hub = await hubWith({
      SHARE_LINK_CONCURRENT_SPAWN_LIMIT: '2',
      SHARE_LINK_TEST_SPAWN_DELAY: '3',
      SHARE_LINK_TEST_STOP_DELAY: '3',
      SHARE_LINK_SPAWN_TIMEOUT: '120'
    });
    await createUsers(hub, 'alice', 'ann', 'ben', 'cid', 'erin', 'hal');
    await startServer(hub, 'alice', 'srv', { image: 'image-b' });
    writeFileSync(join(home('alice'), 'analysis.ipynb'), NOTEBOOK);
    aliceToken = await userToken(hub, 'alice', [
      'access:services!service=share-link'
    ]);
    link = await share(hub, aliceToken, 'srv', 'analysis.ipynb');
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('should turn the Hub spawn limit into waiting and start one server per recipient (C16)', async () => {
    const recipients = ['ann', 'ben', 'cid'];
    const browsers = await Promise.all(recipients.map(u => loggedIn(hub, u)));
    const pages = await Promise.all(
      browsers.map(browser => confirmation(browser, link))
    );

    // Everyone presses at once; ann double-clicks.
    const opens = await Promise.all([
      ...browsers.map((browser, i) =>
        openWithScript(browser, link, pages[i].csrf)
      ),
      openWithScript(browsers[0], link, pages[0].csrf)
    ]);

    for (const events of opens) {
      expect(last(events)).toMatchObject({ phase: 'done' });
      expect(events.some(e => e.phase === 'error')).toBe(false);
    }
    const messages = opens.flat().map(e => String(e.message ?? ''));
    expect(messages.some(m => m.startsWith('The Hub is busy'))).toBe(true);
    expect(hub.logs()).toMatch(/pending spawns, throttling/);

    for (const user of recipients) {
      const servers = await userServers(hub, user);
      expect(Object.keys(servers)).toEqual(['']);
      expect(servers[''].ready).toBe(true);
      expect(servers[''].user_options.image).toBe('image-b');
      const copies = homeFiles(user);
      expect(copies).toEqual(
        user === 'ann'
          ? ['analysis-1.ipynb', 'analysis.ipynb']
          : ['analysis.ipynb']
      );
      for (const copy of copies) {
        expect(sha256(readFileSync(join(home(user), copy)))).toBe(
          sha256(NOTEBOOK)
        );
      }
    }
  });

  it('should wait for a server that is already starting and copy once it is ready (C14)', async () => {
    const erin = await loggedIn(hub, 'erin');
    // The Hub holds this request while it starts the server: don't wait.
    const start = hubApi(hub, 'POST', 'users/erin/server', {
      body: { image: 'image-b' }
    });
    await until(
      async () => (await userServers(hub, 'erin'))['']?.pending === 'spawn'
    );

    const page = await confirmation(erin, link);
    expect(page.html).toContain('is starting with this environment');
    const events = await openWithScript(erin, link, page.csrf);

    expect(last(events)).toEqual({
      phase: 'done',
      url: `${hub.baseUrl}user/erin/lab/tree/analysis.ipynb`
    });
    const ready = events.findIndex(
      e => e.phase === 'spawn' && e.message === 'Your server is ready.'
    );
    const firstCopy = events.findIndex(e => e.phase === 'copy');
    expect(ready).toBeGreaterThan(0);
    expect(firstCopy).toBeGreaterThan(ready);
    // The Hub's own progress messages reach the page.
    const hubMessages = events
      .slice(0, ready)
      .map(e => String(e.message ?? ''))
      .filter(m => /^Server (requested|ready)/.test(m));
    expect(hubMessages.length).toBeGreaterThan(0);
    expect([201, 202]).toContain((await start).status);
    expect(await activeServers(hub, 'erin')).toEqual(['']);
    expect(readFileSync(join(home('erin'), 'analysis.ipynb'))).toEqual(
      NOTEBOOK
    );
    // The service asked for no start of its own: the Hub's was enough.
    expect(
      hub
        .logs()
        .split('\n')
        .filter(l => /server start requested/.test(l) && /"erin"/.test(l))
    ).toEqual([]);
  });

  it('should wait for a server that is still stopping, then start it (C15)', async () => {
    const hal = await loggedIn(hub, 'hal');
    await startServer(hub, 'hal', '', { image: 'image-a' });
    const stop = hubApi(hub, 'DELETE', 'users/hal/server');
    await until(
      async () => (await userServers(hub, 'hal'))['']?.pending === 'stop'
    );

    const events = await openAs(hal, link);

    expect(last(events)).toEqual({
      phase: 'done',
      url: `${hub.baseUrl}user/hal/lab/tree/analysis.ipynb`
    });
    expect(events.some(e => /finish stop/.test(String(e.message ?? '')))).toBe(
      true
    );
    expect([202, 204]).toContain((await stop).status);
    const servers = await userServers(hub, 'hal');
    expect(Object.keys(servers)).toEqual(['']);
    expect(servers[''].user_options.image).toBe('image-b');
  });
});

describe('a Hub that no longer offers image-b, with starts slower than the service waits (C14, C15, C13)', () => {
  let hub: IHub;

  beforeAll(async () => {
    hub = await hubWith({
      SHARE_LINK_DEMO_IMAGES: 'image-a',
      SHARE_LINK_TEST_SPAWN_DELAY: '5',
      SHARE_LINK_SPAWN_TIMEOUT: '2'
    });
    await createUsers(hub, 'frank', 'gina', 'ivy');
    await startServer(hub, 'alice', 'srv', { image: 'image-a' });
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('should say the environment is no longer offered, with the Hub message, and leave no server (C15)', async () => {
    const frank = await loggedIn(hub, 'frank');
    const link = mintedLink(hub, 'srv', { image: 'image-b' });

    const events = await openAs(frank, link);
    const error = last(events);
    expect(error).toMatchObject({ phase: 'error', retry: true });
    expect(error.title).toBe('Your server could not be started');
    expect(String(error.message)).toContain('image-b');
    expect(String(error.message)).toContain('no longer offer');
    // The Hub's own words: the spawner's refusal.
    expect(String(error.message)).toContain('not in allowed_images');

    // Without script: the same, as a page with a retry.
    const page = await confirmation(frank, link);
    const res = await openWithoutScript(frank, link, page.csrf);
    const html = await res.text();
    expect(res.status).toBe(502);
    expect(html).toContain('no longer offer');
    expect(html).toContain('id="retry"');
    expect(html).not.toMatch(/at .*\.js:\d+/);

    expect(await activeServers(hub, 'frank')).toEqual([]);
    expect(homeFiles('frank').filter(f => f.includes('analysis'))).toEqual([]);
  });

  it('should end a start slower than the service waits with a retry that uses the same server (C14)', async () => {
    const gina = await loggedIn(hub, 'gina');
    const link = mintedLink(hub, 'srv', { image: 'image-a' });

    const first = await openAs(gina, link);
    expect(last(first)).toMatchObject({
      phase: 'error',
      title: 'Your server is taking too long to start',
      retry: true
    });
    expect(String(last(first).message)).toContain('still starting');
    expect(homeFiles('gina').filter(f => f.includes('analysis'))).toEqual([]);

    // The Hub goes on with the start the service asked for; the retry
    // waits for that server instead of asking for another.
    await until(async () => {
      const model = (await userServers(hub, 'gina'))[''];
      return model?.ready === true;
    });
    const retry = await openAs(gina, link);
    expect(last(retry)).toEqual({
      phase: 'done',
      url: `${hub.baseUrl}user/gina/lab/tree/analysis.ipynb`
    });
    expect(await activeServers(hub, 'gina')).toEqual(['']);
    expect(
      hub
        .logs()
        .split('\n')
        .filter(l => /server start requested/.test(l) && /"gina"/.test(l))
    ).toHaveLength(1);
  });

  it('should say the sender server is not running, start nothing and save no HTML page (C13)', async () => {
    const ivy = await loggedIn(hub, 'ivy');
    const link = mintedLink(hub, 'culled', { image: 'image-a' });

    // Said on the link's page itself, with no button to press.
    const page = await confirmation(ivy, link);
    expect(page.status).toBe(409);
    expect(page.html).toContain('is not running');
    expect(page.html).toContain('id="retry"');
    expect(page.html).not.toContain('id="open-copy"');
    expect(await activeServers(hub, 'ivy')).toEqual([]);
    expect(homeFiles('ivy')).toEqual([]);

    // What the Hub answers for a stopped server's file is refused, never
    // taken as the file's bytes.
    const contents = new ContentsClient({
      hubUrl: hub.origin,
      hubBaseUrl: hub.baseUrl,
      token: hub.adminToken,
      logger: { debug() {}, info() {}, warn() {}, error() {} }
    });
    await expect(
      contents.readFile(
        { user: 'alice', server: 'culled' },
        'analysis.ipynb',
        AbortSignal.timeout(10000)
      )
    ).rejects.toMatchObject({ status: 409, code: 'server_not_running' });
  });
});

describe('a service role without start:servers (C17)', () => {
  let hub: IHub;
  let link: string;

  beforeAll(async () => {
    // The start scope is `start:servers` on JupyterHub 6, `servers` on 5.
    hub = await hubWith({
      SHARE_LINK_TEST_DROP_SERVICE_SCOPES:
        jupyterhubMajor() >= 6 ? 'start:servers' : 'servers'
    });
    await createUsers(hub, 'alice', 'jack', 'kim');
    await startServer(hub, 'alice', 'srv', { image: 'image-b' });
    writeFileSync(join(home('alice'), 'analysis.ipynb'), NOTEBOOK);
    await startServer(hub, 'kim', '', { image: 'image-b' });
    const token = await userToken(hub, 'alice', [
      'access:services!service=share-link'
    ]);
    link = await share(hub, token, 'srv', 'analysis.ipynb');
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('should refuse a link that needs a start with a page naming the scope to ask for', async () => {
    const jack = await loggedIn(hub, 'jack');
    const page = await confirmation(jack, link);
    expect(page.status).toBe(403);
    expect(page.html).toContain('start:servers');
    expect(page.html).toContain('Hub admin');
    expect(page.html).not.toContain('id="open-copy"');
    expect(await activeServers(hub, 'jack')).toEqual([]);
  });

  it('should still open a link into a running matching server', async () => {
    const kim = await loggedIn(hub, 'kim');
    const events = await openAs(kim, link);
    expect(last(events)).toEqual({
      phase: 'done',
      url: `${hub.baseUrl}user/kim/lab/tree/analysis.ipynb`
    });
    expect(readFileSync(join(home('kim'), 'analysis.ipynb'))).toEqual(NOTEBOOK);
  });
});
