/**
 * The recipient's flow against a real Hub: log in through the Hub's login
 * form and OAuth, confirm, and get a byte-exact copy in a server of the
 * link's environment, found, started or waited for.
 */
import {
  mkdirSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import { join } from 'node:path';

import { loadKeyRing } from '../../packages/service/src/keys';
import { audienceFor, mintLink } from '../../packages/service/src/links';
import {
  createUsers,
  encodePath,
  serverUrl,
  startServer,
  stopServer,
  userServers,
  userToken
} from '../harness/api';
import { IHub, startHub } from '../harness/hub';
import {
  Browser,
  confirmation,
  openWithScript,
  openWithoutScript,
  sha256
} from '../harness/recipient';

describe('opening a share link', () => {
  let hub: IHub;
  let aliceToken: string;
  let bobBrowser: Browser;

  const putFile = async (
    user: string,
    server: string,
    path: string,
    bytes: Buffer
  ) => {
    const res = await fetch(
      `${serverUrl(hub, user, server)}api/contents/${encodePath(path)}`,
      {
        method: 'PUT',
        headers: {
          Authorization: `token ${hub.adminToken}`,
          'Content-Type': 'application/json'
        },
        body: JSON.stringify({
          type: 'file',
          format: 'base64',
          content: bytes.toString('base64')
        })
      }
    );
    expect(res.status).toBeLessThan(300);
  };

  const readFile = async (user: string, server: string, path: string) => {
    const res = await fetch(
      `${serverUrl(hub, user, server)}files/${encodePath(path)}`,
      { headers: { Authorization: `token ${hub.adminToken}` } }
    );
    expect(res.status).toBe(200);
    return Buffer.from(await res.arrayBuffer());
  };

  /** A user's visible files, and any file of the service, hidden or not. */
  const homeFiles = (user: string) =>
    readdirSync(join(hub.stateDir, 'users', user))
      .filter(name => !name.startsWith('.') || name.includes('share-link'))
      .sort();

  const share = async (server: string, path: string) => {
    const reply = await fetch(`${hub.serviceUrl}api/links`, {
      method: 'POST',
      headers: {
        Authorization: `token ${aliceToken}`,
        'Content-Type': 'application/json'
      },
      body: JSON.stringify({ server, path })
    });
    const body = (await reply.json()) as { url: string };
    expect(reply.status).toBe(201);
    return body.url;
  };

  /** Open a link as bob (logged in), without script; the landing path. */
  const bobOpens = async (link: string) => {
    const page = await confirmation(bobBrowser, link);
    expect(page.status).toBe(200);
    const res = await openWithoutScript(bobBrowser, link, page.csrf);
    await res.body?.cancel();
    expect(res.status).toBe(303);
    return res.headers.get('Location') ?? '';
  };

  /** The path in the recipient's server of a landing URL. */
  const landedPath = (location: string, user: string, server: string) => {
    const prefix = `${hub.baseUrl}user/${user}/${server ? `${server}/` : ''}lab/tree/`;
    expect(location.startsWith(prefix)).toBe(true);
    return decodeURIComponent(location.slice(prefix.length));
  };

  beforeAll(async () => {
    hub = await startHub();
    await createUsers(hub, 'alice', 'bob', 'carol', 'dave');
    await startServer(hub, 'alice', 'srv', { image: 'image-b' });
    await startServer(hub, 'bob', '', { image: 'image-a' });
    aliceToken = await userToken(hub, 'alice', [
      'access:services!service=share-link'
    ]);
    mkdirSync(join(hub.stateDir, 'users', 'alice', 'data'), {
      recursive: true
    });
    await putFile(
      'alice',
      'srv',
      'data/analysis.ipynb',
      Buffer.from(
        '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'
      )
    );
    bobBrowser = new Browser(hub);
    await bobBrowser.login('bob');
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('should log in through the Hub and show a confirmation page that changes nothing', async () => {
    const link = await share('srv', 'data/analysis.ipynb');
    const before = await userServers(hub, 'bob');
    const page = await confirmation(bobBrowser, link);

    expect(page.status).toBe(200);
    expect(page.url).toBe(link);
    expect(page.html).toContain('id="open-copy"');
    expect(page.html).toContain('analysis.ipynb');
    expect(page.html).not.toContain('data/analysis.ipynb');
    expect(page.html).toContain('alice');
    expect(page.html).toContain('image-b');
    expect(page.html).toContain('env-image-b');
    expect(page.csrf).not.toBe('');
    expect(Object.keys(await userServers(hub, 'bob'))).toEqual(
      Object.keys(before)
    );
    expect(homeFiles('bob')).not.toContain('analysis.ipynb');
    const session = bobBrowser.cookies.get('share-link-session');
    expect(session).toBeTruthy();
  });

  it('should refuse the POST without the CSRF token', async () => {
    const link = await share('srv', 'data/analysis.ipynb');
    await confirmation(bobBrowser, link);
    const res = await openWithoutScript(bobBrowser, link, 'forged');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Open a copy');
    expect(Object.keys(await userServers(hub, 'bob'))).toEqual(['']);
  });

  it('should start a named server of the link environment when the default runs another', async () => {
    writeFileSync(
      join(hub.stateDir, 'users', 'bob', 'analysis.ipynb'),
      'bob own work'
    );
    const link = await share('srv', 'data/analysis.ipynb');
    const location = await bobOpens(link);

    const path = landedPath(location, 'bob', 'env-image-b');
    expect(path).toBe('analysis-1.ipynb');
    const servers = await userServers(hub, 'bob');
    expect(servers['env-image-b'].ready).toBe(true);
    expect(servers['env-image-b'].user_options.image).toBe('image-b');
    expect(servers[''].user_options.image).toBe('image-a');
    expect(sha256(await readFile('bob', 'env-image-b', path))).toBe(
      sha256(await readFile('alice', 'srv', 'data/analysis.ipynb'))
    );
    // bob's own file is untouched; no temporary file is left.
    expect(await readFile('bob', '', 'analysis.ipynb')).toEqual(
      Buffer.from('bob own work')
    );
    expect(homeFiles('bob').filter(f => f.includes('share-link'))).toEqual([]);
  });

  it('should reuse the running server and give a new copy after the sender edits', async () => {
    await putFile(
      'alice',
      'srv',
      'data/analysis.ipynb',
      Buffer.from('{"cells": [], "edited": true}\n')
    );
    const link = await share('srv', 'data/analysis.ipynb');
    const location = await bobOpens(link);
    const path = landedPath(location, 'bob', 'env-image-b');
    expect(path).toBe('analysis-2.ipynb');
    expect((await readFile('bob', '', path)).toString()).toContain('edited');
    expect(
      (await readFile('bob', '', 'analysis-1.ipynb')).toString()
    ).not.toContain('edited');
    expect(Object.keys(await userServers(hub, 'bob')).sort()).toEqual([
      '',
      'env-image-b'
    ]);
  });

  const exactCases: Array<[string, string, () => Buffer]> = [
    ['a text file', 'notes.txt', () => Buffer.from('héllo\r\nwörld\n\ufeff')],
    [
      'a binary file with every byte value',
      'bytes.bin',
      () => Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256))
    ],
    [
      'a Latin-1 CSV',
      'prices.csv',
      () => Buffer.from('name;price\ncafé;3,50 €\nnaïve;1\n', 'latin1')
    ],
    [
      'a notebook with truncated JSON',
      'broken.ipynb',
      () => Buffer.from('{"cells": [{"cell_type": "code", "sou')
    ],
    [
      'a file whose name needs encoding (C1)',
      'my dir/a #1 ?x&y+z 50% ü.ipynb',
      () => Buffer.from('{"cells": [], "nbformat": 4, "nbformat_minor": 5}')
    ]
  ];

  it.each(exactCases)(
    'should copy %s byte for byte',
    async (_what, path, content) => {
      const bytes = content();
      if (path.includes('/')) {
        mkdirSync(
          join(
            hub.stateDir,
            'users',
            'alice',
            path.slice(0, path.lastIndexOf('/'))
          ),
          { recursive: true }
        );
      }
      await putFile('alice', 'srv', path, bytes);
      const link = await share('srv', path);
      const location = await bobOpens(link);
      const landed = landedPath(location, 'bob', 'env-image-b');
      expect(landed).toBe(path.split('/').pop());
      expect(sha256(await readFile('bob', 'env-image-b', landed))).toBe(
        sha256(bytes)
      );
    }
  );

  it('should copy a notebook with HTML and JavaScript outputs without trusting it', async () => {
    const notebook = {
      cells: [
        {
          cell_type: 'code',
          execution_count: 1,
          metadata: {},
          outputs: [
            {
              output_type: 'display_data',
              data: {
                'text/html': ['<b id="x">hi</b><script>window.x=1</script>'],
                'application/javascript': ['window.y = 2;']
              },
              metadata: {}
            }
          ],
          source: ['display(HTML("hi"))']
        }
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5
    };
    // Saved as a notebook, so alice's own server signs it as trusted.
    const save = await fetch(
      `${serverUrl(hub, 'alice', 'srv')}api/contents/outputs.ipynb`,
      {
        method: 'PUT',
        headers: {
          Authorization: `token ${hub.adminToken}`,
          'Content-Type': 'application/json'
        },
        body: JSON.stringify({ type: 'notebook', content: notebook })
      }
    );
    expect(save.status).toBeLessThan(300);
    const link = await share('srv', 'outputs.ipynb');
    const landed = landedPath(await bobOpens(link), 'bob', 'env-image-b');
    expect(sha256(await readFile('bob', 'env-image-b', landed))).toBe(
      sha256(await readFile('alice', 'srv', 'outputs.ipynb'))
    );

    const model = await fetch(
      `${serverUrl(hub, 'bob', 'env-image-b')}api/contents/${encodePath(landed)}?type=notebook`,
      { headers: { Authorization: `token ${hub.adminToken}` } }
    );
    const body = (await model.json()) as {
      content: { cells: Array<{ metadata: { trusted?: boolean } }> };
    };
    expect(body.content.cells[0].metadata.trusted).toBe(false);
  });

  it('should start the default server of a recipient who has none, with progress events (C11)', async () => {
    const carol = new Browser(hub);
    const link = await share('srv', 'data/analysis.ipynb');
    // A fresh browser: the link sends carol to the Hub's login first.
    const first = await carol.follow(link);
    await first.res.body?.cancel();
    expect(first.url).toContain('/hub/login');
    await carol.login('carol');
    const page = await confirmation(carol, link);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Your default server is not running');

    const events = await openWithScript(carol, link, page.csrf);
    const done = events[events.length - 1];
    expect(done).toEqual({
      phase: 'done',
      url: `${hub.baseUrl}user/carol/lab/tree/analysis.ipynb`
    });
    expect(events.some(e => e.phase === 'spawn' && e.message)).toBe(true);
    expect(events.some(e => e.phase === 'copy')).toBe(true);
    const servers = await userServers(hub, 'carol');
    expect(Object.keys(servers)).toEqual(['']);
    expect(servers[''].user_options.image).toBe('image-b');
  });

  it('should start one server for two clicks at once', async () => {
    const dave = new Browser(hub);
    await dave.login('dave');
    const link = await share('srv', 'data/analysis.ipynb');
    const page = await confirmation(dave, link);
    const [first, second] = await Promise.all([
      openWithScript(dave, link, page.csrf),
      openWithScript(dave, link, page.csrf)
    ]);
    const urls = [first, second].map(events => events[events.length - 1].url);
    expect(urls.sort()).toEqual([
      `${hub.baseUrl}user/dave/lab/tree/analysis-1.ipynb`,
      `${hub.baseUrl}user/dave/lab/tree/analysis.ipynb`
    ]);
    expect(Object.keys(await userServers(hub, 'dave'))).toEqual(['']);
    const spawns = hub
      .logs()
      .split('\n')
      .filter(
        line => /server start requested/.test(line) && /"dave"/.test(line)
      );
    expect(spawns.length).toBeGreaterThanOrEqual(1);
  });

  it('should refuse an altered link with a readable page and no side effect', async () => {
    const link = await share('srv', 'data/analysis.ipynb');
    const token = link.slice(link.lastIndexOf('/') + 1);
    const middle = Math.floor(token.length / 2);
    const altered =
      link.slice(0, link.length - token.length) +
      token.slice(0, middle) +
      (token[middle] === 'A' ? 'B' : 'A') +
      token.slice(middle + 1);
    const files = homeFiles('bob');
    for (const bad of [altered, link.slice(0, -2)]) {
      const res = await bobBrowser.fetch(bad, {
        headers: { Accept: 'text/html' }
      });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain('ask for the link again');
      expect(html).not.toMatch(/at .*\.js:\d+/);
    }
    expect(homeFiles('bob')).toEqual(files);
  });

  it('should refuse an expired link, naming who to ask', async () => {
    const keys = loadKeyRing(join(hub.stateDir, 'share-link-keys.json'));
    const token = mintLink(
      keys,
      {
        sender: 'alice',
        server: 'srv',
        path: 'data/analysis.ipynb',
        environment: { image: 'image-b' }
      },
      new Date(Date.now() - 3600 * 1000),
      {
        audience: audienceFor(hub.origin, `${hub.baseUrl}services/share-link/`),
        now: new Date(Date.now() - 7200 * 1000)
      }
    );
    const res = await bobBrowser.fetch(`${hub.serviceUrl}l/${token}`);
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('Ask alice');
  });

  it('should refuse a shared file that became a link out of the folder (C6)', async () => {
    const home = join(hub.stateDir, 'users', 'alice');
    writeFileSync(join(home, 'swap.txt'), 'plain text\n');
    const link = await share('srv', 'swap.txt');
    const outside = join(hub.stateDir, 'outside-secret.txt');
    writeFileSync(outside, 'not for sharing\n');
    rmSync(join(home, 'swap.txt'));
    symlinkSync(outside, join(home, 'swap.txt'));

    const before = homeFiles('bob');
    const page = await confirmation(bobBrowser, link);
    const res = await openWithoutScript(bobBrowser, link, page.csrf);
    const html = await res.text();
    expect(res.status).toBe(403);
    expect(html).toContain('outside');
    expect(html).not.toContain('access:servers');
    expect(html).not.toContain('not for sharing');
    expect(homeFiles('bob')).toEqual(before);
  });

  it('should leave nothing when the sender server stops mid-copy, then say it is not running', async () => {
    await startServer(hub, 'alice', 'big', { image: 'image-b' });
    const big = Buffer.alloc(150 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) {
      big[i] = i % 251;
    }
    writeFileSync(join(hub.stateDir, 'users', 'alice', 'big.bin'), big);
    const link = await share('big', 'big.bin');
    const before = homeFiles('bob');

    const page = await confirmation(bobBrowser, link);
    let stopping: Promise<void> | undefined;
    const events = await openWithScript(bobBrowser, link, page.csrf, e => {
      if (e.phase === 'copy' && Number(e.bytes) > 0 && !stopping) {
        stopping = stopServer(hub, 'alice', 'big');
      }
    });
    await stopping;
    const last = events[events.length - 1];
    expect(last.phase).toBe('error');
    expect(last.retry).toBe(true);
    expect(homeFiles('bob')).toEqual(before);

    // Opened again while the sender's server is stopped: the page says so
    // before any click, and a POST (the earlier page's form) says so too.
    const again = await confirmation(bobBrowser, link);
    expect(again.status).toBe(409);
    expect(again.html).toContain('not running');
    expect(again.html).not.toContain('id="open-copy"');
    const res = await openWithoutScript(bobBrowser, link, page.csrf);
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('not running');
    expect(homeFiles('bob')).toEqual(before);
  });

  it('should not act for someone who logged out of the Hub', async () => {
    writeFileSync(join(hub.stateDir, 'users', 'alice', 'handout.txt'), 'hi\n');
    const link = await share('srv', 'handout.txt');
    const eve = new Browser(hub);
    await eve.login('eve');
    const page = await confirmation(eve, link);
    expect(page.status).toBe(200);

    // Logging out of the Hub revokes the token the service holds for eve;
    // the POST asks the Hub again instead of trusting its short cache.
    const out = await eve.fetch(`${hub.url}hub/logout`);
    await out.body?.cancel();
    const res = await openWithoutScript(eve, link, page.csrf);
    await res.body?.cancel();
    expect(res.status).not.toBe(303);
    expect(await userServers(hub, 'eve')).toEqual({});
  });

  it('should ignore query parameters that name another place (C19)', async () => {
    const link = await share('srv', 'notes.txt');
    const page = await confirmation(bobBrowser, link);
    const res = await openWithoutScript(
      bobBrowser,
      `${link}?dest_path=.ipython/profile_default/startup/x.py&path=../x`,
      page.csrf
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toMatch(
      /\/user\/bob\/env-image-b\/lab\/tree\/notes-\d+\.txt$/
    );
    expect(homeFiles('bob').filter(f => f.includes('x.py'))).toEqual([]);
  });
});
