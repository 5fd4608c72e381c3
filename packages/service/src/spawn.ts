/**
 * Finding the recipient's server for a link's environment, starting it
 * when needed, and waiting until it is ready.
 *
 * Only the recipient's own servers are ever considered or started. No
 * state is kept between requests: the Hub's replies are idempotent (a
 * second start of a pending server answers "pending"), so two clicks, or
 * two replicas, never start two servers.
 */
import { SpawnPolicy } from './config';
import {
  IEnvironment,
  environmentOf,
  sameEnvironment,
  serverNameFor
} from './environments';
import { HttpError } from './errors';
import { HubClient, IServerModel } from './hub';
import { ILogger } from './log';

/** What to do to get a server for a link. */
export interface IServerPlan {
  /**
   * `reuse`: a matching server is ready; `wait`: a matching one is starting;
   * `start`: start `server` with `options`.
   */
  action: 'reuse' | 'wait' | 'start';
  /** The recipient's server (`''`: the default server). */
  server: string;
  /** Spawn options for `start`: the environment's own options. */
  options: Record<string, unknown>;
  /** Why, for people and logs. */
  reason: string;
}

/** The default server first, then named servers by name. */
function byPreference(servers: Map<string, IServerModel>): IServerModel[] {
  return [...servers.values()].sort((a, b) =>
    a.name === '' ? -1 : b.name === '' ? 1 : a.name.localeCompare(b.name)
  );
}

/** Whether a server is stopped (or stopping) and may be started. */
function isStartable(model: IServerModel | undefined): boolean {
  return !model || (!model.ready && model.pending !== 'spawn');
}

/**
 * Choose the recipient's server for an environment, from their servers as
 * the Hub reports them. Pure: no request is made.
 */
export function findMatchingServer(
  wanted: IEnvironment,
  servers: Map<string, IServerModel>,
  policy: SpawnPolicy,
  ignoreKeys: readonly string[] = []
): IServerPlan {
  const ordered = byPreference(servers);
  const matches = (model: IServerModel) =>
    !wanted.pinned ||
    sameEnvironment(wanted, environmentOf(model.userOptions, ignoreKeys));

  const ready = ordered.find(m => m.ready && matches(m));
  if (ready) {
    return {
      action: 'reuse',
      server: ready.name,
      options: {},
      reason: 'a running server of yours has this environment'
    };
  }
  const starting = ordered.find(m => m.pending === 'spawn' && matches(m));
  if (starting) {
    return {
      action: 'wait',
      server: starting.name,
      options: wanted.pinned ? wanted.spawnOptions : {},
      reason: 'a server of yours with this environment is starting'
    };
  }

  if (!wanted.pinned) {
    return {
      action: 'start',
      server: '',
      options: {},
      reason: 'the link needs no particular environment'
    };
  }
  const defaultServer = servers.get('');
  if (policy === 'default-then-named' && isStartable(defaultServer)) {
    return {
      action: 'start',
      server: '',
      options: wanted.spawnOptions,
      reason: 'your default server is not running'
    };
  }
  const named = serverNameFor(wanted);
  const existing = servers.get(named);
  if (existing?.ready) {
    // Its name says this environment, but it runs another one.
    throw new HttpError(
      409,
      'server_name_taken',
      `Your server "${named}" runs another environment. Stop it from the` +
        " Hub's home page, then open the link again.",
      'Your server cannot be used'
    );
  }
  return {
    action: isStartable(existing) ? 'start' : 'wait',
    server: named,
    options: wanted.spawnOptions,
    reason:
      policy === 'named-only'
        ? 'links open in a server of their own environment'
        : 'your default server runs another environment'
  };
}

/** An event of a server's start, for the progress page. */
export interface ISpawnEvent {
  /** 0–100, when the Hub says. */
  progress?: number;
  message: string;
}

/** Options of {@link ensureServerReady}. */
export interface IEnsureOptions {
  hub: HubClient;
  logger: ILogger;
  /** The recipient. */
  user: string;
  /** What {@link findMatchingServer} chose. */
  plan: IServerPlan;
  /** Give up after this many seconds. */
  timeoutSeconds: number;
  /** For log lines: the link's id. */
  linkId?: string;
  onEvent?: (event: ISpawnEvent) => void;
  /** Ends the wait early. */
  signal?: AbortSignal;
}

/** The wait for a server ran out of time. */
function spawnTimedOut(seconds: number): HttpError {
  return new HttpError(
    504,
    'spawn_timeout',
    `Your server did not start within ${seconds} seconds. It may still be` +
      ' starting: try again in a minute.',
    'Your server is taking too long to start'
  );
}

/** The Hub reported that the start failed. */
function spawnFailed(message: string | undefined): HttpError {
  return new HttpError(
    502,
    'spawn_failed',
    'Your server could not be started' +
      (message ? `: ${message}` : '.') +
      ' Try again; if it keeps failing, tell your Hub admin.',
    'Your server could not be started'
  );
}

/**
 * Get the planned server ready: start it (with backoff while the Hub is at
 * its spawn limit, after it has finished stopping), follow the Hub's
 * progress, and poll until the Hub says it is ready.
 *
 * @throws HttpError 504 on timeout, 502 when the start failed, or the
 *   Hub's refusal.
 */
export async function ensureServerReady(
  options: IEnsureOptions
): Promise<IServerModel> {
  const { hub, logger, user, plan } = options;
  const log = { user, server: plan.server, link: options.linkId };
  const started = Date.now();
  const deadline = started + options.timeoutSeconds * 1000;
  const emit = (event: ISpawnEvent) => options.onEvent?.(event);
  let asked = false;
  let followed = false;
  let lastMessage: string | undefined;
  let backoffMs = 250;

  const pause = async (ms: number) => {
    const left = deadline - Date.now();
    if (left <= 0) {
      throw spawnTimedOut(options.timeoutSeconds);
    }
    await sleep(Math.min(ms, left), options.signal);
  };

  for (;;) {
    if (options.signal?.aborted) {
      throw new HttpError(499, 'aborted', 'The request was cancelled.');
    }
    if (Date.now() > deadline) {
      logger.warn('server start timed out', log);
      throw spawnTimedOut(options.timeoutSeconds);
    }
    const model = (await hub.userServers(user)).get(plan.server);

    if (model?.ready) {
      if (asked || followed) {
        logger.info('server ready', {
          ...log,
          seconds: (Date.now() - started) / 1000
        });
      }
      return model;
    }

    if (model?.pending === 'spawn') {
      followed = true;
      lastMessage = await followProgress(options, deadline, emit, lastMessage);
      // The stream ended: the Hub's model decides what happened.
      await pause(backoffMs);
      backoffMs = Math.min(backoffMs * 2, 2000);
      continue;
    }

    if (model?.pending) {
      // Still stopping (or another action): wait for it to finish first.
      emit({ message: `Waiting for your server to finish ${model.pending}…` });
      await pause(backoffMs);
      backoffMs = Math.min(backoffMs * 2, 2000);
      continue;
    }

    if (asked || followed) {
      // It was starting and is now stopped: the start failed.
      logger.warn('server start failed', { ...log, message: lastMessage });
      throw spawnFailed(lastMessage);
    }

    try {
      const result = await hub.startServer(user, plan.server, plan.options);
      asked = true;
      backoffMs = 250;
      logger.info('server start requested', { ...log, result });
      emit({ progress: 0, message: 'Asking the Hub to start your server…' });
    } catch (err) {
      if (err instanceof HttpError && err.status === 429) {
        const waitMs = (err.retryAfter ?? 0) * 1000 || backoffMs;
        logger.info('hub busy, waiting', { ...log, waitMs });
        emit({ message: 'The Hub is busy, waiting…' });
        await pause(Math.max(waitMs, 250));
        backoffMs = Math.min(backoffMs * 2, 10000);
        continue;
      }
      if (err instanceof HttpError && err.code === 'spawn_refused') {
        // Someone else (another click, another replica) may have started
        // it meanwhile: look again before giving up.
        const now = (await hub.userServers(user)).get(plan.server);
        if (now?.ready || now?.pending === 'spawn') {
          continue;
        }
      }
      logger.warn('server start refused', {
        ...log,
        error: err instanceof Error ? err.message : String(err)
      });
      throw err;
    }
  }
}

/**
 * Follow the Hub's progress stream until it ends or the deadline passes.
 *
 * @returns the last message seen.
 * @throws HttpError 502 when the Hub reports that the start failed.
 */
async function followProgress(
  options: IEnsureOptions,
  deadline: number,
  emit: (event: ISpawnEvent) => void,
  lastMessage: string | undefined
): Promise<string | undefined> {
  const timeout = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
  const signal = options.signal
    ? AbortSignal.any([options.signal, timeout])
    : timeout;
  try {
    for await (const event of options.hub.progress(
      options.user,
      options.plan.server,
      signal
    )) {
      if (event.message) {
        lastMessage = event.message;
      }
      if (event.failed) {
        options.logger.warn('server start failed', {
          user: options.user,
          server: options.plan.server,
          link: options.linkId,
          message: event.message
        });
        throw spawnFailed(event.message);
      }
      emit({
        progress: event.progress,
        message: event.message ?? 'Starting your server…'
      });
    }
  } catch (err) {
    if (err instanceof HttpError && err.code === 'spawn_failed') {
      throw err;
    }
    // A broken or timed-out stream: the caller polls the Hub instead.
  }
  return lastMessage;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true }
    );
  });
}
