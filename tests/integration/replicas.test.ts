/**
 * Several replicas of the service behind one route, as on Kubernetes: the
 * service keeps nothing in memory that another replica would need (OAuth
 * state, sessions and CSRF live in sealed cookies), so a whole flow works
 * when every request goes to the other replica.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { IncomingMessage, Server, createServer, request } from 'node:http';
import { join } from 'node:path';

import { addKey } from '../../packages/service/src/keys';
import {
  createUsers,
  encodePath,
  serverUrl,
  startServer,
  userToken
} from '../harness/api';
import { IHub, ROOT, freePort, sleep, startHub } from '../harness/hub';
import {
  confirmation,
  loggedIn,
  openWithScript,
  sha256
} from '../harness/recipient';

/** One request the balancer passed on, and the replica that served it. */
interface IRouted {
  method: string;
  path: string;
  replica: number;
}

/**
 * A round-robin load balancer: request n goes to replica n mod count.
 * Streams both ways, as a real one does.
 */
function startBalancer(
  port: number,
  replicaPorts: number[],
  routed: IRouted[]
): Promise<Server> {
  let next = 0;
  const server = createServer((req, res) => {
    const replica = next++ % replicaPorts.length;
    routed.push({
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0],
      replica
    });
    const upstream = request(
      {
        host: '127.0.0.1',
        port: replicaPorts[replica],
        method: req.method,
        path: req.url,
        headers: req.headers
      },
      (reply: IncomingMessage) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      }
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  return new Promise(resolve =>
    server.listen(port, '127.0.0.1', () => resolve(server))
  );
}

describe('two replicas of the service', () => {
  let hub: IHub;
  let balancer: Server;
  const replicas: ChildProcess[] = [];
  const routed: IRouted[] = [];
  let replicaLogs = '';

  beforeAll(async () => {
    const serviceToken = randomBytes(24).toString('hex');
    const balancerPort = await freePort();
    const replicaPorts = [await freePort(), await freePort()];
    const hubPort = await freePort();
    const apiPort = await freePort();
    const stateDir = mkdtempSync(join(tmpdir(), 'share-link-replicas-'));
    const keysFile = join(stateDir, 'share-link-keys.json');
    addKey(keysFile);

    // The replicas and the balancer are up before the Hub, which waits for
    // an external service to answer. They get the variables an external
    // service gets on Kubernetes, and one key file (a Secret there).
    const prefix = '/services/share-link/';
    for (const port of replicaPorts) {
      const child = spawn(
        process.execPath,
        [join(ROOT, 'packages', 'service', 'dist', 'main.js')],
        {
          env: {
            PATH: process.env.PATH,
            JUPYTERHUB_SERVICE_NAME: 'share-link',
            JUPYTERHUB_API_TOKEN: serviceToken,
            JUPYTERHUB_API_URL: `http://127.0.0.1:${apiPort}/hub/api/`,
            JUPYTERHUB_BASE_URL: '/',
            JUPYTERHUB_SERVICE_PREFIX: prefix,
            JUPYTERHUB_SERVICE_URL: `http://127.0.0.1:${port}`,
            JUPYTERHUB_CLIENT_ID: 'service-share-link',
            JUPYTERHUB_OAUTH_CALLBACK_URL: `${prefix}oauth_callback`,
            SHARE_LINK_HUB_URL: `http://127.0.0.1:${hubPort}`,
            SHARE_LINK_PUBLIC_URL: `http://127.0.0.1:${hubPort}`,
            SHARE_LINK_KEYS_FILE: keysFile,
            SHARE_LINK_LOG_LEVEL: 'debug'
          },
          stdio: ['ignore', 'pipe', 'pipe']
        }
      );
      child.stderr?.on('data', chunk => (replicaLogs += chunk));
      child.stdout?.on('data', chunk => (replicaLogs += chunk));
      replicas.push(child);
    }
    balancer = await startBalancer(balancerPort, replicaPorts, routed);
    hub = await startHub({
      hubPort,
      apiPort,
      stateDir,
      env: {
        SHARE_LINK_SERVICE_API_TOKEN: serviceToken,
        SHARE_LINK_SERVICE_URL: `http://127.0.0.1:${balancerPort}`
      },
      waitForService: false
    });

    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${hub.serviceUrl}health`).catch(() => null);
      if (res?.status === 200) {
        break;
      }
      await sleep(200);
    }
    await createUsers(hub, 'alice', 'bob');
  });

  afterAll(async () => {
    for (const child of replicas) {
      child.kill('SIGTERM');
    }
    balancer?.close();
    await hub?.stop();
    rmSync(hub.stateDir, { recursive: true, force: true });
  });

  it('should carry a whole flow across replicas', async () => {
    await startServer(hub, 'alice', '', { image: 'image-b' });
    const home = join(hub.stateDir, 'users', 'alice', 'lessons');
    mkdirSync(home, { recursive: true });
    const bytes = Buffer.from(
      JSON.stringify({ cells: [], metadata: {}, nbformat: 4 }) + '\n'
    );
    writeFileSync(join(home, 'week 1.ipynb'), bytes);

    const aliceToken = await userToken(hub, 'alice', [
      'access:services!service=share-link'
    ]);
    const minted = await fetch(`${hub.serviceUrl}api/links`, {
      method: 'POST',
      headers: {
        Authorization: `token ${aliceToken}`,
        'Content-Type': 'application/json'
      },
      body: JSON.stringify({ path: 'lessons/week 1.ipynb', server: '' })
    });
    expect(minted.status).toBe(201);
    const { url } = (await minted.json()) as { url: string };

    const bob = await loggedIn(hub, 'bob');
    const start = routed.length;
    const page = await confirmation(bob, url);
    expect(page.status).toBe(200);
    expect(page.html).toContain('week 1.ipynb');

    const events = await openWithScript(bob, url, page.csrf);
    const done = events.find(e => e.phase === 'done');
    expect(done).toBeDefined();

    // The link page (login state set), the OAuth callback, the link page
    // again (session read), the POST (CSRF checked): each went to the
    // other replica than the request before it.
    const flow = routed
      .slice(start)
      .filter(r => r.path.includes('/l/') || r.path.endsWith('oauth_callback'));
    expect(flow.map(r => `${r.method} ${r.path.split('/').pop()}`)).toEqual([
      `GET ${url.split('/').pop()}`,
      'GET oauth_callback',
      `GET ${url.split('/').pop()}`,
      `POST ${url.split('/').pop()}`
    ]);
    for (let i = 1; i < flow.length; i++) {
      expect(flow[i].replica).not.toBe(flow[i - 1].replica);
    }

    const landing = /\/user\/bob\/(?:([a-z0-9-]+)\/)?lab\/tree\/(.+)$/.exec(
      String(done?.url)
    );
    expect(landing).not.toBeNull();
    const [, server, copied] = landing ?? [];
    const res = await fetch(
      `${serverUrl(hub, 'bob', server ?? '')}files/` +
        encodePath(decodeURIComponent(copied)),
      { headers: { Authorization: `token ${hub.adminToken}` } }
    );
    expect(res.status).toBe(200);
    const received = Buffer.from(await res.arrayBuffer());
    expect(received.toString()).toBe(bytes.toString());
    expect(sha256(received)).toBe(sha256(bytes));
    expect(replicaLogs).not.toContain(aliceToken);
  });
});
