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

/**
 * A user's servers, once every start under way shows its options. The Hub
 * marks a server pending a moment before it records the options of that
 * start; planning in that moment (a double click, a class at once) would
 * see a busy server of unknown environment and start a second one. A start
 * that really has no options is waited for at most `waitMs`.
 */
export async function settledServers(
  hub: HubClient,
  user: string,
  waitMs = 3000,
  signal?: AbortSignal
): Promise<Map<string, IServerModel>> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const servers = await hub.userServers(user);
    const unsettled = [...servers.values()].some(
      model =>
        model.pending === 'spawn' && !Object.keys(model.userOptions).length
    );
    if (!unsettled || Date.now() >= deadline) {
      return servers;
    }
    await sleep(200, signal);
  }
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
  /**
   * Give up after this many seconds. Not shorter than the Hub's own limit
   * (`Spawner.start_timeout` + `http_timeout`) in a real deployment: see
   * {@link ensureServerReady} for what happens to a start we give up on.
   */
  timeoutSeconds: number;
  /** The link's environment, for people, when it has one. */
  environmentLabel?: string;
  /** The link's sender, who can share again from a current environment. */
  sender?: string;
  /** For log lines: the link's id. */
  linkId?: string;
  onEvent?: (event: ISpawnEvent) => void;
  /** Ends the wait early. */
  signal?: AbortSignal;
}

/**
 * Longest wait between two start requests while the Hub is at its spawn
 * limit. The Hub suggests 30-60 s (`spawn_throttle_retry_range`, meant for
 * people pressing a button); its 429 costs it next to nothing, and a slot
 * often frees within seconds, so the service asks again sooner, at random
 * moments so that a class opening one link does not come back all at once.
 */
export const MAX_BUSY_WAIT_MS = 8000;

/** The wait for a server ran out of time. */
function spawnTimedOut(seconds: number, starting: boolean): HttpError {
  return new HttpError(
    504,
    'spawn_timeout',
    starting
      ? `Your server did not start within ${seconds} seconds. It is still` +
          ' starting: try again in a minute and the copy goes into that' +
          ' same server. If it never starts, the Hub gives up on it by' +
          ' itself; tell your Hub admin.'
      : `The Hub was too busy to start your server within ${seconds}` +
          ' seconds. Try again in a few minutes.',
    'Your server is taking too long to start'
  );
}

/** The Hub reported that the start failed, in its own words. */
function spawnFailed(
  message: string | undefined,
  options: Pick<IEnsureOptions, 'environmentLabel' | 'sender'>
): HttpError {
  const said = message ? ` The Hub said: "${message}".` : '';
  if (!options.environmentLabel) {
    return new HttpError(
      502,
      'spawn_failed',
      `Your server could not be started.${said} Try again; if it keeps` +
        ' failing, tell your Hub admin.',
      'Your server could not be started'
    );
  }
  return new HttpError(
    502,
    'spawn_failed',
    'Your server could not be started with the environment of this link' +
      ` (${options.environmentLabel}).${said} If the Hub no longer offers` +
      ' this environment, ask ' +
      (options.sender ?? 'the sender') +
      ' to share the file again from a server with a current one; otherwise' +
      ' try again, and tell your Hub admin if it keeps failing.',
    'Your server could not be started'
  );
}

/**
 * Get the planned server ready: start it (waiting while the Hub is at its
 * spawn limit, and until a stopping server has stopped), follow the Hub's
 * progress, and poll until the Hub says it is ready.
 *
 * A start is never undone here: the service's role holds no scope to stop
 * servers (least privilege), and needs none. When the Hub fails a start
 * it stops the server itself; when a start outlives `timeoutSeconds`, the
 * server is still the recipient's own, with the link's environment: the
 * Hub either finishes it (the retry the timeout page offers then finds it
 * starting or running and uses it, so no second server is started) or
 * gives up after `Spawner.start_timeout` / `http_timeout` and stops it. So
 * nothing outlives a failed open but what the recipient asked for; the
 * default timeout (300 s) is longer than the Hub's defaults (60 + 30 s) so
 * that the Hub, not the service, is the one to give up.
 *
 * @throws HttpError 504 on timeout, 502 when the start failed (with the
 *   Hub's message), 403 when the service may not start servers, or the
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
  let busyWaitMs = 1000;

  const timedOut = () => {
    logger.warn('server start timed out', { ...log, asked, followed });
    return spawnTimedOut(options.timeoutSeconds, asked || followed);
  };
  const pause = async (ms: number) => {
    const left = deadline - Date.now();
    if (left <= 0) {
      throw timedOut();
    }
    await sleep(Math.min(ms, left), options.signal);
  };

  for (;;) {
    if (options.signal?.aborted) {
      throw new HttpError(499, 'aborted', 'The request was cancelled.');
    }
    if (Date.now() > deadline) {
      throw timedOut();
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
      throw spawnFailed(lastMessage, options);
    }

    try {
      const result = await hub.startServer(
        user,
        plan.server,
        plan.options,
        deadline - Date.now(),
        options.signal
      );
      asked = true;
      backoffMs = 250;
      logger.info('server start requested', { ...log, result });
      emit({ progress: 0, message: 'Asking the Hub to start your server…' });
    } catch (err) {
      if (!(err instanceof HttpError)) {
        throw err;
      }
      if (err.status === 429) {
        const suggestedMs = (err.retryAfter ?? 0) * 1000 || busyWaitMs;
        const waitMs = Math.min(suggestedMs, busyWaitMs) * jitter();
        logger.info('hub busy, waiting', { ...log, waitMs });
        emit({ message: 'The Hub is busy starting other servers; waiting…' });
        await pause(Math.max(waitMs, 250));
        busyWaitMs = Math.min(busyWaitMs * 2, MAX_BUSY_WAIT_MS);
        continue;
      }
      if (err.code === 'spawn_failed') {
        // Failed at once: the progress stream has the spawner's own words.
        asked = true;
        lastMessage = await followProgress(
          options,
          deadline,
          emit,
          err.message
        );
        continue;
      }
      if (err.code === 'spawn_refused') {
        // Someone else (another click, another replica) may have started
        // it meanwhile, or it began stopping: look again before giving up.
        const now = (await hub.userServers(user)).get(plan.server);
        if (now?.ready || now?.pending) {
          continue;
        }
      }
      logger.warn('server start refused', {
        ...log,
        error: err.message
      });
      throw err;
    }
  }
}

/** A factor between 0.5 and 1, to spread retries. */
function jitter(): number {
  return 0.5 + Math.random() / 2;
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
        throw spawnFailed(event.message, options);
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
