/**
 * The benchmarks' world: a real Hub (the tests' harness) with the project's
 * service, users, their servers and files, and small clients of the Hub's
 * and servers' REST APIs used as baselines.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import {
  createUsers,
  hubApi,
  startServer,
  userToken
} from '../../../tests/harness/api';
import { IHub, startHub } from '../../../tests/harness/hub';

/** The repository's root (not the compiled copy's). */
export const REPO_ROOT =
  process.env.BENCH_REPO_ROOT ?? resolve(__dirname, '..', '..', '..', '..', '..');

/** Options of {@link startBenchHub}. */
export interface IBenchHubOptions {
  /** The Hub's `concurrent_spawn_limit` (its default is 100). */
  spawnLimit?: number;
  /** More environment variables for the Hub and the service. */
  env?: Record<string, string>;
}

/**
 * Start a real Hub for a benchmark: rate limits raised so that a benchmark
 * measures work, not refusals, and the service logging warnings only.
 */
export async function startBenchHub(
  options: IBenchHubOptions = {}
): Promise<IHub> {
  process.env.BENCH_REPO_ROOT = REPO_ROOT;
  return startHub({
    venv: join(REPO_ROOT, '.venv'),
    timeoutMs: 120000,
    env: {
      SHARE_LINK_OPEN_RATE_LIMIT: '1000000/1m',
      SHARE_LINK_MINT_RATE_LIMIT: '1000000/1m',
      SHARE_LINK_LOG_LEVEL: process.env.BENCH_SERVICE_LOG_LEVEL ?? 'warn',
      SHARE_LINK_SPAWN_TIMEOUT: '600',
      ...(options.spawnLimit
        ? { SHARE_LINK_CONCURRENT_SPAWN_LIMIT: String(options.spawnLimit) }
        : {}),
      ...options.env
    }
  });
}

/** A user's home folder: their server's root. */
export function homeOf(hub: IHub, user: string): string {
  return join(hub.stateDir, 'users', user);
}

/** Create users and start one server each, `parallel` at a time. */
export async function usersWithServers(
  hub: IHub,
  users: string[],
  server: string,
  userOptions: Record<string, unknown>,
  parallel = 4
): Promise<void> {
  await createUsers(hub, ...users);
  const queue = [...users];
  const worker = async () => {
    for (let user = queue.shift(); user; user = queue.shift()) {
      await startServer(hub, user, server, userOptions, 240000);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** A token for `user` that may call the share-link service. */
export function serviceToken(hub: IHub, user: string): Promise<string> {
  return userToken(hub, user, ['access:services!service=share-link']);
}

/** Mint a link as its sender, through the service's API. */
export async function mint(
  hub: IHub,
  token: string,
  server: string,
  path: string
): Promise<string> {
  const res = await fetch(`${hub.serviceUrl}api/links`, {
    method: 'POST',
    headers: {
      Authorization: `token ${token}`,
      'Content-Type': 'application/json'
    },
    body: JSON.stringify({ server, path })
  });
  const body = (await res.json()) as { url?: string };
  if (res.status !== 201 || !body.url) {
    throw new Error(`minting failed: ${res.status} ${JSON.stringify(body)}`);
  }
  return body.url;
}

/** Write a file straight into a user's home folder. */
export function writeHomeFile(
  hub: IHub,
  user: string,
  name: string,
  bytes: Buffer
): string {
  const path = join(homeOf(hub, user), name);
  writeFileSync(path, bytes);
  return path;
}

/** The pid of the share-link service of this Hub. */
export function servicePid(hub: IHub): number {
  for (const pid of readdirSync('/proc').filter(p => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (!cmdline.includes('packages/service/dist/main.js')) {
        continue;
      }
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
      if (environ.includes(hub.stateDir)) {
        return Number(pid);
      }
    } catch {
      // Gone, or not readable.
    }
  }
  throw new Error('the share-link service process was not found');
}

/** Whether the Hub's admin API answers (a cheap liveness check). */
export async function hubAnswers(hub: IHub): Promise<boolean> {
  return (await hubApi(hub, 'GET', '')).status === 200;
}
