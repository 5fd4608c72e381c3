/**
 * Minting share links against the real Hub: who is calling, whose server,
 * which files may be shared, expiry, limits, headers, and what a link and
 * the logs reveal. Then the service with a reduced Hub role.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  createUsers,
  startServer,
  stopServer,
  userToken
} from '../harness/api';
import { IHub, jupyterhubMajor, sleep, startHub } from '../harness/hub';

/** A reply of the service. */
interface IServiceReply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** Call the service's API at `path` below its prefix. */
async function service(
  hub: IHub,
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {}
): Promise<IServiceReply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) {
    headers.Authorization = `token ${options.token}`;
  }
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await fetch(`${hub.serviceUrl}${path}`, {
    method,
    headers,
    body,
    redirect: 'manual'
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** The `error` of an error reply. */
function errorOf(reply: IServiceReply): { code: string; message: string } {
  return reply.body.error as { code: string; message: string };
}

/** Log in to the Hub with the demo password: the Hub's cookies. */
async function hubLoginCookies(hub: IHub, user: string): Promise<string> {
  const page = await fetch(`${hub.url}hub/login`);
  const cookies = page.headers.getSetCookie().map(c => c.split(';')[0]);
  const xsrf = /name="_xsrf" value="([^"]+)"/.exec(await page.text())?.[1];
  const res = await fetch(`${hub.url}hub/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Cookie: cookies.join('; ')
    },
    body: new URLSearchParams({
      username: user,
      password: hub.password,
      _xsrf: xsrf ?? ''
    }).toString()
  });
  const all = [
    ...cookies,
    ...res.headers.getSetCookie().map(c => c.split(';')[0])
  ];
  if (!all.some(c => c.startsWith('jupyterhub-hub-login='))) {
    throw new Error(`logging in as ${user} failed: ${res.status}`);
  }
  return all.join('; ');
}

/** The decoded header and payload of a JWT, as text. */
function readableParts(token: string): string {
  return token
    .split('.')
    .slice(0, 2)
    .map(part => Buffer.from(part, 'base64url').toString('utf8'))
    .join('\n');
}

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';" +
  " connect-src 'self'; form-action 'self'; frame-ancestors 'none';" +
  " base-uri 'none'";

describe('minting share links', () => {
  let hub: IHub;
  let alice: string;
  let aliceNoService: string;
  let bob: string;
  let carol: string;
  const minted: string[] = [];
  const home = () => join(hub.stateDir, 'users', 'alice');
  const reportBytes = Buffer.from(
    JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 })
  );
  const weirdName = 'a #1 ?x&y+z 50% ü.ipynb';

  const mint = async (token: string, body: Record<string, unknown>) => {
    const reply = await service(hub, 'POST', 'api/links', { token, body });
    if (reply.status === 201) {
      minted.push(String(reply.body.url).split('/l/')[1]);
    }
    return reply;
  };

  beforeAll(async () => {
    hub = await startHub({
      env: {
        SHARE_LINK_DEFAULT_EXPIRY: '1d',
        SHARE_LINK_MAX_EXPIRY: '7d',
        SHARE_LINK_MAX_FILE_SIZE: '1M',
        SHARE_LINK_MINT_RATE_LIMIT: '60/1m'
      }
    });
    await createUsers(hub, 'alice', 'bob', 'carol');
    await startServer(hub, 'alice', 'analysis', { image: 'image-b' });

    // What the lab page's token holds: its server, the service, identity.
    alice = await userToken(hub, 'alice', [
      'access:servers!server=alice/analysis',
      'access:services!service=share-link'
    ]);
    aliceNoService = await userToken(hub, 'alice', [
      'access:servers!server=alice/analysis'
    ]);
    bob = await userToken(hub, 'bob', ['access:services!service=share-link']);
    carol = await userToken(hub, 'carol', [
      'access:services!service=share-link'
    ]);

    mkdirSync(join(home(), 'project', 'my dir'), { recursive: true });
    mkdirSync(join(home(), '.hidden'), { recursive: true });
    writeFileSync(join(home(), 'project', 'report.ipynb'), reportBytes);
    writeFileSync(join(home(), 'project', 'my dir', weirdName), 'weird');
    writeFileSync(join(home(), '.env'), 'SECRET=1\n');
    writeFileSync(join(home(), '.hidden', 'notes.txt'), 'hidden\n');
    writeFileSync(
      join(home(), 'project', 'big.bin'),
      Buffer.alloc(1536 * 1024)
    );
    writeFileSync(join(hub.stateDir, 'outside-secret.txt'), 'outside\n');
    symlinkSync(
      join(hub.stateDir, 'outside-secret.txt'),
      join(home(), 'project', 'escape.txt')
    );
    symlinkSync('report.ipynb', join(home(), 'project', 'inside-link.ipynb'));
    symlinkSync('../.env', join(home(), 'project', 'env-link.txt'));
    symlinkSync(hub.stateDir, join(home(), 'project', 'outside-folder'));
  });

  afterAll(async () => {
    await hub?.stop();
  });

  describe('GET health and metrics', () => {
    it('should answer ready while the Hub answers', async () => {
      const reply = await service(hub, 'GET', 'health');
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ status: 'ok' });
    });

    it('should serve Prometheus metrics to read:metrics only', async () => {
      expect((await fetch(`${hub.serviceUrl}metrics`)).status).toBe(401);
      const res = await fetch(`${hub.serviceUrl}metrics`, {
        headers: { Authorization: `token ${hub.adminToken}` }
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('share_link_links_minted_total');
    });

    it('should find every scope it needs at start', () => {
      expect(hub.logs()).toContain('service scopes checked');
      expect(hub.logs()).not.toContain('lacks scopes');
    });
  });

  describe('GET api/info', () => {
    it('should describe the limits and the environment of a server', async () => {
      const reply = await service(hub, 'GET', 'api/info?server=analysis', {
        token: alice
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
        expiry: { defaultSeconds: 86400, maxSeconds: 7 * 86400 },
        environment: {
          id: 'image=image-b',
          label: expect.stringContaining('image-b'),
          pinned: true
        }
      });
    });

    it('should refuse a server the caller does not have', async () => {
      const reply = await service(hub, 'GET', 'api/info?server=analysis', {
        token: bob
      });
      expect(reply.status).toBe(404);
      expect(errorOf(reply).code).toBe('not_found');
    });

    it("should refuse someone else's server", async () => {
      const reply = await service(
        hub,
        'GET',
        'api/info?server=analysis&owner=alice',
        { token: bob }
      );
      expect(reply.status).toBe(403);
      expect(errorOf(reply).code).toBe('not_owner');
    });
  });

  describe('POST api/links', () => {
    it('should mint a link to a file in a sub-folder', async () => {
      const before = Date.now();
      const reply = await mint(alice, {
        path: 'project/report.ipynb',
        server: 'analysis'
      });
      expect(reply.status).toBe(201);
      const body = reply.body as {
        url: string;
        expires_at: string;
        file: { name: string; size: number };
        environment: { id: string; pinned: boolean };
        description: string;
      };
      expect(body.url.startsWith(`${hub.serviceUrl}l/`)).toBe(true);
      expect(body.url).toMatch(
        /\/l\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
      );
      expect(body.file).toEqual({
        name: 'report.ipynb',
        size: reportBytes.length
      });
      expect(body.environment.id).toBe('image=image-b');
      expect(body.description).toContain('report.ipynb');
      const expires = Date.parse(body.expires_at);
      expect(body.expires_at.endsWith('Z')).toBe(true);
      expect(expires).toBeGreaterThanOrEqual(
        Math.floor(before / 1000) * 1000 + 86400000
      );
      expect(expires).toBeLessThanOrEqual(Date.now() + 86400000);

      // The link reveals neither the folder, the sender, nor the server.
      const token = body.url.split('/l/')[1];
      const readable = readableParts(token);
      for (const secret of ['project', 'report', 'alice', 'analysis']) {
        expect(body.url).not.toContain(secret);
        expect(readable).not.toContain(secret);
      }
      process.stdout.write(
        `share link length: ${body.url.length} characters\n`
      );
    });

    it('should give what the link carries to another user, without folders', async () => {
      const reply = await mint(alice, {
        path: 'project/report.ipynb',
        server: 'analysis',
        expires_in: 3600
      });
      const token = String(reply.body.url).split('/l/')[1];
      const info = await service(hub, 'GET', `api/links/${token}/info`, {
        token: bob
      });
      expect(info.status).toBe(200);
      expect(info.body).toEqual({
        sender: 'alice',
        file: { name: 'report.ipynb' },
        environment: {
          label: expect.stringContaining('image-b'),
          pinned: true
        },
        expires_at: reply.body.expires_at,
        expired: false
      });
      expect(JSON.stringify(info.body)).not.toContain('project');
    });

    it('should refuse an altered or incomplete link when inspected', async () => {
      const token = minted[0];
      const changed =
        token.slice(0, 40) + (token[40] === 'A' ? 'B' : 'A') + token.slice(41);
      for (const bad of [changed, token.slice(0, -2), 'x']) {
        const info = await service(hub, 'GET', `api/links/${bad}/info`, {
          token: bob
        });
        expect(info.status).toBe(400);
        expect(errorOf(info).message).toContain('incomplete or was altered');
      }
    });

    it('should mint a file whose name needs encoding on every hop', async () => {
      const reply = await mint(alice, {
        path: `project/my dir/${weirdName}`,
        server: 'analysis'
      });
      expect(reply.status).toBe(201);
      expect(reply.body.file).toEqual({ name: weirdName, size: 5 });
    });

    it('should mint a symbolic link inside the folder with the real size', async () => {
      const reply = await mint(alice, {
        path: 'project/inside-link.ipynb',
        server: 'analysis'
      });
      expect(reply.status).toBe(201);
      expect(reply.body.file).toEqual({
        name: 'inside-link.ipynb',
        size: reportBytes.length
      });
    });

    it.each([
      ['.env', 'Hidden files'],
      ['.hidden/notes.txt', 'Hidden files'],
      ['project/../.env', '".."'],
      ['/etc/passwd', 'not an absolute path'],
      ['project//report.ipynb', 'empty part'],
      ['project/', 'Folders'],
      ['project', 'Folders'],
      ['project/escape.txt', 'symbolic link'],
      ['project/env-link.txt', 'symbolic link'],
      // A link to a folder outside is reported as a folder: refused as one.
      ['project/outside-folder', 'Folders'],
      ['project/big.bin', 'at most 1.0 MiB']
    ])('should refuse to share %s', async (path, why) => {
      const reply = await mint(alice, { path, server: 'analysis' });
      expect(reply.status).toBe(422);
      expect(errorOf(reply).code).toBe('not_shareable');
      expect(errorOf(reply).message).toContain(why);
    });

    it('should say when the file does not exist', async () => {
      const reply = await mint(alice, {
        path: 'project/missing.ipynb',
        server: 'analysis'
      });
      expect(reply.status).toBe(404);
      expect(errorOf(reply).code).toBe('not_found');
    });

    it("should refuse bob minting for alice's server", async () => {
      const reply = await mint(bob, {
        path: 'project/report.ipynb',
        server: 'analysis',
        owner: 'alice'
      });
      expect(reply.status).toBe(403);
      expect(errorOf(reply).code).toBe('not_owner');

      // Without the owner, "analysis" means bob's own server: he has none.
      const own = await mint(bob, {
        path: 'project/report.ipynb',
        server: 'analysis'
      });
      expect(own.status).toBe(404);
    });

    it('should refuse a stopped server', async () => {
      await startServer(hub, 'alice', 'spare', { image: 'image-a' });
      await stopServer(hub, 'alice', 'spare');
      const reply = await mint(alice, {
        path: 'project/report.ipynb',
        server: 'spare'
      });
      expect(reply.status).toBe(409);
      expect(errorOf(reply).code).toBe('server_not_running');
    });

    it('should cap a ten-year expiry at the maximum and say so', async () => {
      const now = Date.now();
      const reply = await mint(alice, {
        path: 'project/report.ipynb',
        server: 'analysis',
        expires_at: new Date(now + 3650 * 86400000).toISOString()
      });
      expect(reply.status).toBe(201);
      const expires = Date.parse(String(reply.body.expires_at));
      expect(Math.abs(expires - (now + 7 * 86400000))).toBeLessThan(5000);
      expect(reply.body.description).toContain('at most 7 days');
    });

    it('should take expires_at with any zone exactly', async () => {
      const target = new Date(Math.floor(Date.now() / 1000) * 1000 + 7200000);
      // The same instant written at UTC+14.
      const kiritimati = new Date(target.getTime() + 14 * 3600000)
        .toISOString()
        .replace(/\.\d+Z$/, '+14:00');
      const reply = await mint(alice, {
        path: 'project/report.ipynb',
        server: 'analysis',
        expires_at: kiritimati
      });
      expect(reply.status).toBe(201);
      expect(reply.body.expires_at).toBe(target.toISOString());
    });

    it.each([
      ['a past expires_at', { expires_at: '2020-01-01T00:00:00Z' }],
      ['an expires_at without zone', { expires_at: '2099-01-01T00:00:00' }],
      ['a malformed expires_at', { expires_at: 'tomorrow' }],
      ['February 30th', { expires_at: '2099-02-30T00:00:00Z' }],
      ['a number as expires_at', { expires_at: 4102444800 }],
      ['a string as expires_in', { expires_in: '3600' }],
      ['a negative expires_in', { expires_in: -5 }],
      ['both expiries', { expires_in: 60, expires_at: '2099-01-01T00:00:00Z' }]
    ])('should refuse %s with an example', async (_what, expiry) => {
      const reply = await mint(alice, {
        path: 'project/report.ipynb',
        server: 'analysis',
        ...expiry
      });
      expect(reply.status).toBe(400);
      expect(errorOf(reply).code).toBe('invalid_request');
      expect(errorOf(reply).message).toContain('2026-12-31T17:00:00Z');
    });

    it('should refuse a request without a token, even with cookies', async () => {
      const cookies = await hubLoginCookies(hub, 'alice');
      const reply = await service(hub, 'POST', 'api/links', {
        body: { path: 'project/report.ipynb', server: 'analysis' },
        headers: { Cookie: cookies }
      });
      expect(reply.status).toBe(401);
      expect(errorOf(reply).code).toBe('unauthorized');
      expect(errorOf(reply).message).toContain('Authorization');
    });

    it('should refuse a token the Hub does not know', async () => {
      const reply = await mint('not-a-real-token', {
        path: 'project/report.ipynb',
        server: 'analysis'
      });
      expect(reply.status).toBe(401);
    });

    it('should refuse a token without the service scope, naming it', async () => {
      const reply = await mint(aliceNoService, {
        path: 'project/report.ipynb',
        server: 'analysis'
      });
      expect(reply.status).toBe(403);
      expect(errorOf(reply).code).toBe('forbidden');
      expect(errorOf(reply).message).toContain(
        'access:services!service=share-link'
      );
    });

    it('should refuse a body that is too large or not JSON', async () => {
      const big = await service(hub, 'POST', 'api/links', {
        token: alice,
        body: { path: 'x'.repeat(100 * 1024), server: 'analysis' }
      });
      expect(big.status).toBe(413);
      expect(errorOf(big).code).toBe('invalid_request');

      const form = await service(hub, 'POST', 'api/links', {
        token: alice,
        rawBody: 'path=project%2Freport.ipynb&server=analysis',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' }
      });
      expect(form.status).toBe(400);
      expect(errorOf(form).code).toBe('invalid_request');
    });

    it('should limit how many links one user makes', async () => {
      const statuses: number[] = [];
      let last: IServiceReply | undefined;
      for (let i = 0; i < 61; i++) {
        last = await mint(carol, { path: '.env', server: '' });
        statuses.push(last.status);
      }
      expect(statuses.slice(0, 60)).toEqual(Array(60).fill(422));
      expect(last?.status).toBe(429);
      expect(errorOf(last!).code).toBe('rate_limited');
      expect(errorOf(last!).message).toContain('at most 60 times in 1 minute');
      expect(Number(last?.headers.get('Retry-After'))).toBeGreaterThan(0);

      // Others are not held back by carol's limit.
      const other = await mint(bob, { path: '.env', server: '' });
      expect(other.status).toBe(422);
    });

    it('should send the security headers on every reply', async () => {
      const replies = [
        await mint(alice, { path: 'project/report.ipynb', server: 'analysis' }),
        await mint(alice, { path: '.env', server: 'analysis' }),
        await service(hub, 'GET', 'no-such-page')
      ];
      for (const reply of replies) {
        expect(reply.headers.get('Content-Security-Policy')).toBe(CSP);
        expect(reply.headers.get('X-Frame-Options')).toBe('DENY');
        expect(reply.headers.get('X-Content-Type-Options')).toBe('nosniff');
        expect(reply.headers.get('Referrer-Policy')).toBe('no-referrer');
        expect(reply.headers.get('Cache-Control')).toBe('no-store');
      }
    });
  });

  describe('logs', () => {
    it('should log each link minted with the file name and a hash only', async () => {
      await sleep(500);
      const lines = hub
        .logs()
        .split('\n')
        .filter(line => line.includes('"msg":"link minted"'));
      expect(lines.length).toBeGreaterThanOrEqual(minted.length);
      const report = lines.find(line => line.includes('"report.ipynb"'));
      expect(report).toContain('"pathHash"');
      expect(report).toContain('"linkId"');
      expect(report).not.toContain('project/');
    });

    it('should never show a link token or a user token', () => {
      const logs = hub.logs();
      expect(minted.length).toBeGreaterThan(5);
      for (const token of [...minted, alice, aliceNoService, bob, carol]) {
        expect(logs).not.toContain(token);
        // Nor the signature alone.
        expect(logs).not.toContain(token.split('.').pop());
      }
      const keys = readFileSync(
        join(hub.stateDir, 'share-link-keys.json'),
        'utf8'
      );
      const secrets = (JSON.parse(keys) as { keys: Array<{ secret: string }> })
        .keys;
      for (const { secret } of secrets) {
        expect(logs).not.toContain(secret);
      }
    });
  });
});

describe('the service with a reduced Hub role', () => {
  let hub: IHub;
  let alice: string;
  // On JupyterHub 5 the start scope is `servers`, which includes
  // read:servers: dropping read:servers alone changes nothing there, so the
  // start scope goes too.
  const jupyterhub5 = jupyterhubMajor() === 5;
  const dropped = jupyterhub5
    ? 'read:servers,access:servers,servers'
    : 'read:servers,access:servers';

  beforeAll(async () => {
    hub = await startHub({
      env: { SHARE_LINK_TEST_DROP_SERVICE_SCOPES: dropped }
    });
    await createUsers(hub, 'alice');
    alice = await userToken(hub, 'alice', [
      'access:services!service=share-link'
    ]);
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('should name every missing scope at start', async () => {
    for (let i = 0; i < 50 && !hub.logs().includes('lacks scopes'); i++) {
      await sleep(100);
    }
    const line = hub
      .logs()
      .split('\n')
      .find(l => l.includes('lacks scopes'));
    expect(line).toContain('"level":"error"');
    expect(line).toContain('read:servers');
    expect(line).toContain('access:servers');
    if (jupyterhub5) {
      expect(line).toContain('start:servers');
    } else {
      expect(line).not.toContain('start:servers (');
    }
  });

  it('should refuse minting with a 403 saying what to ask for', async () => {
    const reply = await service(hub, 'POST', 'api/links', {
      token: alice,
      body: { path: 'report.ipynb', server: '' }
    });
    expect(reply.status).toBe(403);
    expect(errorOf(reply).code).toBe('service_scope_missing');
    expect(errorOf(reply).message).toContain('"read:servers"');
    expect(errorOf(reply).message).toContain('admin');
  });

  it('should refuse the info call the same way', async () => {
    const reply = await service(hub, 'GET', 'api/info?server=', {
      token: alice
    });
    expect(reply.status).toBe(403);
    expect(errorOf(reply).message).toContain('"read:servers"');
  });
});
