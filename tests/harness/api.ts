/**
 * Small helpers over a test Hub's REST API, used with the tests' admin token.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { IHub, sleep } from './hub';

/** The URL of a user's server (`''` is the default server), with a slash. */
export function serverUrl(hub: IHub, user: string, server: string): string {
  const name = server ? `${encodeURIComponent(server)}/` : '';
  return `${hub.url}user/${encodeURIComponent(user)}/${name}`;
}

/** Encode a path below a server's root, one segment at a time. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** A JSON reply of the Hub. */
export interface IReply<T = unknown> {
  status: number;
  body: T;
}

/** Call the Hub's REST API (`path` below `hub/api/`). */
export async function hubApi<T = unknown>(
  hub: IHub,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {}
): Promise<IReply<T>> {
  const res = await fetch(`${hub.url}hub/api/${path.replace(/^\//, '')}`, {
    method,
    headers: {
      Authorization: `token ${options.token ?? hub.adminToken}`,
      ...(options.body !== undefined
        ? { 'Content-Type': 'application/json' }
        : {})
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    redirect: 'manual'
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: keep the text.
  }
  return { status: res.status, body: body as T };
}

/** Make sure the users exist. */
export async function createUsers(hub: IHub, ...names: string[]) {
  const reply = await hubApi(hub, 'POST', 'users', {
    body: { usernames: names }
  });
  if (reply.status !== 201 && reply.status !== 409) {
    throw new Error(`creating users failed: ${reply.status}`);
  }
}

/** A token of `user` with the given scopes. */
export async function userToken(
  hub: IHub,
  user: string,
  scopes: string[]
): Promise<string> {
  const reply = await hubApi<{ token: string }>(
    hub,
    'POST',
    `users/${user}/tokens`,
    { body: { scopes, expires_in: 3600, note: 'integration test' } }
  );
  if (reply.status !== 201) {
    throw new Error(
      `creating a token for ${user} failed: ${reply.status} ` +
        JSON.stringify(reply.body)
    );
  }
  return reply.body.token;
}

/** The Hub's model of one server of a user. */
export interface IServerModel {
  name: string;
  ready: boolean;
  pending: string | null;
  url: string;
  user_options: Record<string, unknown>;
}

/** A user's servers, as the Hub reports them. */
export async function userServers(
  hub: IHub,
  user: string
): Promise<Record<string, IServerModel>> {
  const reply = await hubApi<{ servers?: Record<string, IServerModel> }>(
    hub,
    'GET',
    `users/${user}`
  );
  return reply.body.servers ?? {};
}

/**
 * Start a server of `user` (`''` is the default server) with spawn options,
 * and wait until it is ready.
 */
export async function startServer(
  hub: IHub,
  user: string,
  server: string,
  userOptions: Record<string, unknown> = {},
  timeoutMs = 90000
): Promise<IServerModel> {
  const path = server
    ? `users/${user}/servers/${encodeURIComponent(server)}`
    : `users/${user}/server`;
  const reply = await hubApi(hub, 'POST', path, { body: userOptions });
  if (reply.status !== 201 && reply.status !== 202) {
    throw new Error(
      `starting ${user}/${server} failed: ${reply.status} ` +
        JSON.stringify(reply.body)
    );
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const model = (await userServers(hub, user))[server];
    if (model?.ready) {
      return model;
    }
    if (Date.now() > deadline) {
      throw new Error(`${user}/${server} did not start in time`);
    }
    await sleep(250);
  }
}

/** Stop a server of `user` and wait until it is gone. */
export async function stopServer(hub: IHub, user: string, server: string) {
  const path = server
    ? `users/${user}/servers/${encodeURIComponent(server)}`
    : `users/${user}/server`;
  await hubApi(hub, 'DELETE', path);
  for (let i = 0; i < 200; i++) {
    const model = (await userServers(hub, user))[server];
    if (!model || (!model.ready && !model.pending)) {
      return;
    }
    await sleep(250);
  }
  throw new Error(`${user}/${server} did not stop in time`);
}

/**
 * The environment of the process serving `user`'s server `server` of this
 * Hub (other Hubs on the machine may have users of the same name), read
 * from /proc: what a container of that image would have.
 */
export function serverProcessEnv(
  hub: IHub,
  user: string,
  server: string
): Record<string, string> | undefined {
  const home = join(hub.stateDir, 'users', user);
  for (const pid of readdirSync('/proc').filter(p => /^\d+$/.test(p))) {
    let raw: string;
    try {
      raw = readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue;
    }
    const env: Record<string, string> = {};
    for (const pair of raw.split('\0').filter(Boolean)) {
      const at = pair.indexOf('=');
      env[pair.slice(0, at)] = pair.slice(at + 1);
    }
    if (
      env.HOME === home &&
      env.JUPYTERHUB_USER === user &&
      (env.JUPYTERHUB_SERVER_NAME ?? '') === server
    ) {
      return env;
    }
  }
  return undefined;
}
