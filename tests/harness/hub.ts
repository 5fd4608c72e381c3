/**
 * Start a real JupyterHub (the project's jupyterhub_config.py, its service
 * and its local spawner) on free loopback ports, for integration and
 * browser tests.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository's root folder. */
export const ROOT = resolve(__dirname, '..', '..');

/** A running Hub. */
export interface IHub {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  origin: string;
  /** The Hub's base path, e.g. `/` or `/jhub/`. */
  baseUrl: string;
  /** origin + baseUrl, with a trailing slash. */
  url: string;
  /** The share-link service's public URL, with a trailing slash. */
  serviceUrl: string;
  /** A token of the tests' own admin service. */
  adminToken: string;
  /** The Hub's state folder (database, keys, users' homes). */
  stateDir: string;
  /** The demo password. */
  password: string;
  /** The Hub's REST API as services reach it, with a trailing slash. */
  apiUrl: string;
  /** Everything the Hub and the service printed so far. */
  logs(): string;
  /** Stop the Hub, its proxy, the service and every user server. */
  stop(): Promise<void>;
}

/** Options for {@link startHub}. */
export interface IStartHubOptions {
  /** The Hub's base path; `/` by default. */
  baseUrl?: string;
  /** More environment variables for the Hub and the service. */
  env?: Record<string, string>;
  /** The Python environment; `.venv` by default. */
  venv?: string;
  /** An existing state folder to reuse (keys, users' files). */
  stateDir?: string;
  /** How long to wait for the Hub and the service, in ms. */
  timeoutMs?: number;
  /**
   * Wait for the share-link service too (default). Off for an external
   * service that the test starts after the Hub.
   */
  waitForService?: boolean;
  /** The ports of the Hub and of its REST API, when a test must know them first. */
  hubPort?: number;
  apiPort?: number;
}

/** The major version of JupyterHub in the tests' Python environment. */
export function jupyterhubMajor(venv = defaultVenv()): number {
  const version = execFileSync(join(venv, 'bin', 'python'), [
    '-c',
    'import jupyterhub; print(jupyterhub.version_info[0])'
  ]);
  return Number(version.toString().trim());
}

/** The Python environment tests run the Hub from. */
function defaultVenv(): string {
  return process.env.SHARE_LINK_VENV ?? join(ROOT, '.venv');
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Start a Hub and wait until it and the share-link service answer. */
export async function startHub(options: IStartHubOptions = {}): Promise<IHub> {
  const baseUrl = normaliseBase(options.baseUrl ?? '/');
  const [freeHubPort, freeApiPort, proxyApiPort, servicePort] =
    await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const hubPort = options.hubPort ?? freeHubPort;
  const apiPort = options.apiPort ?? freeApiPort;
  const stateDir =
    options.stateDir ?? mkdtempSync(join(tmpdir(), 'share-link-hub-'));
  const adminToken = randomBytes(24).toString('hex');
  const password = 'test-password';
  const venv = options.venv ?? defaultVenv();
  const origin = `http://127.0.0.1:${hubPort}`;
  const url = `${origin}${baseUrl}`;

  const keysFile = join(stateDir, 'share-link-keys.json');
  if (!existsSync(keysFile)) {
    execFileSync(process.execPath, [
      join(ROOT, 'packages', 'service', 'dist', 'cli.js'),
      '--file',
      keysFile
    ]);
  }

  let output = '';
  const child: ChildProcess = spawn(
    join(venv, 'bin', 'jupyterhub'),
    ['-f', join(ROOT, 'jupyterhub_config.py')],
    {
      cwd: stateDir,
      env: {
        ...process.env,
        PATH: `${join(venv, 'bin')}:${process.env.PATH ?? ''}`,
        SHARE_LINK_HUB_PORT: String(hubPort),
        SHARE_LINK_HUB_API_PORT: String(apiPort),
        SHARE_LINK_PROXY_API_PORT: String(proxyApiPort),
        SHARE_LINK_SERVICE_PORT: String(servicePort),
        SHARE_LINK_HUB_BASE_URL: baseUrl,
        SHARE_LINK_STATE_DIR: stateDir,
        SHARE_LINK_KEYS_FILE: keysFile,
        SHARE_LINK_DEMO_PASSWORD: password,
        SHARE_LINK_TEST_ADMIN_TOKEN: adminToken,
        SHARE_LINK_QUIET: '1',
        SHARE_LINK_LOG_LEVEL: 'debug',
        ...options.env
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true
    }
  );
  const echo = process.env.SHARE_LINK_TEST_ECHO_LOGS === '1';
  const collect = (chunk: Buffer) => {
    output += chunk;
    if (echo) {
      process.stderr.write(chunk);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let exited = false;
  child.on('exit', () => (exited = true));

  const stop = async () => {
    if (!exited && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      const deadline = Date.now() + 15000;
      while (!exited && Date.now() < deadline) {
        await sleep(100);
      }
      if (!exited) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    await killStrays(stateDir);
    if (!options.stateDir && !process.env.SHARE_LINK_KEEP_TEST_STATE) {
      rmSync(stateDir, { recursive: true, force: true });
    }
  };

  const hub: IHub = {
    origin,
    baseUrl,
    url,
    serviceUrl: `${url}services/share-link/`,
    adminToken,
    stateDir,
    password,
    apiUrl: `http://127.0.0.1:${apiPort}${baseUrl}hub/api/`,
    logs: () => output,
    stop
  };

  const deadline = Date.now() + (options.timeoutMs ?? 60000);
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`JupyterHub exited during start:\n${output}`);
    }
    if (
      (await answers(`${url}hub/api/`)) &&
      (options.waitForService === false ||
        (await answers(`${hub.serviceUrl}health`)))
    ) {
      return hub;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`JupyterHub did not start in time:\n${output}`);
    }
    await sleep(200);
  }
}

/**
 * User servers of a LocalProcessSpawner run in their own process groups:
 * end any left behind by a Hub that was killed.
 */
async function killStrays(stateDir: string): Promise<void> {
  const { readdirSync, readFileSync } = await import('node:fs');
  for (const pid of readdirSync('/proc').filter(p => /^\d+$/.test(p))) {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
      if (environ.includes(`HOME=${join(stateDir, 'users')}`)) {
        process.kill(Number(pid), 'SIGKILL');
      }
    } catch {
      // Gone, or not ours.
    }
  }
}

async function answers(target: string): Promise<boolean> {
  try {
    const res = await fetch(target, {
      redirect: 'manual',
      signal: AbortSignal.timeout(2000)
    });
    return res.status === 200;
  } catch {
    return false;
  }
}

function normaliseBase(base: string): string {
  const trimmed = base.replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}/` : '/';
}

/** Wait `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise(r => setTimeout(r, ms));
}
