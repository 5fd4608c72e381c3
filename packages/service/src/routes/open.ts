/**
 * The recipient's side: opening a link in a browser, logging in through the
 * Hub, confirming, and getting a fresh copy in a matching server.
 *
 * - `GET l/:token` shows what the link holds and what opening it will do;
 *   it changes nothing (not even for an `<img>` pointing at it).
 * - `POST l/:token` (with the session's CSRF token) finds or starts the
 *   recipient's server, copies the file and lands them on it: as a stream
 *   of NDJSON events for the page's script, or a 303 without script.
 * - `GET oauth_callback` finishes the Hub login.
 *
 * The whole open happens in one request: no job state on the server, so
 * any replica can serve any request. Nothing in the query string is read:
 * where the file lands comes only from the signed link and the rules here.
 */
import { resolve } from 'node:path';

import express from 'express';

import {
  encodePath,
  fileGone,
  serverNotRunning,
  userServerPath
} from '../contents';
import { IServiceContext } from '../context';
import { copyFileBetweenServers } from '../copy';
import { environmentOf } from '../environments';
import { HttpError } from '../errors';
import { linkErrorToHttp } from '../linkErrors';
import { ILink, LinkError, redeemLink } from '../links';
import {
  beginLogin,
  checkLoginState,
  exchangeCode,
  isSafeReturnPath,
  stateCookieName,
  LOGIN_STATE_SECONDS
} from '../oauth';
import { confirmPage, errorPage } from '../pages';
import { checkShareablePath, fileNameOf } from '../paths';
import { enforceRateLimit } from '../security';
import {
  ISession,
  SESSION_COOKIE,
  checkCsrfToken,
  csrfToken,
  newCsrfSecret,
  openSession,
  parseCookies,
  sealSession,
  serializeCookie
} from '../session';
import { START_SERVERS } from '../serviceScopes';
import {
  IServerPlan,
  ensureServerReady,
  findMatchingServer,
  settledServers
} from '../spawn';

/** Where the pages' stylesheet and script are. */
const STATIC_DIR = resolve(__dirname, '..', '..', 'static');

/** Longest a login session lasts, in seconds. */
const SESSION_SECONDS = 8 * 3600;

/** One event of the NDJSON reply to an open. */
export type OpenEvent =
  | { phase: 'spawn'; progress?: number; message: string }
  | { phase: 'copy'; bytes: number; total?: number }
  | { phase: 'done'; url: string }
  | { phase: 'error'; title: string; message: string; retry: boolean };

/** Where the recipient lands: their copy, in their server's JupyterLab. */
export function landingUrl(
  hubBaseUrl: string,
  user: string,
  server: string,
  path: string
): string {
  return (
    userServerPath(hubBaseUrl, { user, server }) +
    `lab/tree/${encodePath(path)}`
  );
}

/** A sentence for people: what opening the link will do. */
export function describePlan(plan: IServerPlan, pinned: boolean): string {
  const which = plan.server
    ? `your server "${plan.server}"`
    : 'your default server';
  const saved =
    ' A copy of the file is saved in its home folder (never over a file of' +
    ' yours) and opened.';
  if (plan.action === 'reuse') {
    return `${capitalise(which)} is running with this environment.${saved}`;
  }
  if (plan.action === 'wait') {
    return (
      `${capitalise(which)} is starting with this environment: the copy is` +
      ` made once it is ready.${saved}`
    );
  }
  if (!plan.server && pinned) {
    return (
      'Your default server is not running: it will be started with this' +
      ' environment, and the Hub remembers these options for your default' +
      ` server's later starts.${saved}`
    );
  }
  if (!plan.server) {
    return `Your default server will be started.${saved}`;
  }
  return (
    `${capitalise(which)} will be started with this environment (later` +
    ` links with the same environment use it too).${saved}`
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Create the router for links, OAuth and the recipient's pages. */
export function createOpenRouter(context: IServiceContext): express.Router {
  const { config, logger, keys, hub, metrics } = context;
  const router = express.Router();
  const prefix = config.servicePrefix;
  const secure = config.publicUrl.startsWith('https:');
  const linkPath = (token: string) => `${prefix}l/${encodeURIComponent(token)}`;

  router.use(
    '/static',
    express.static(STATIC_DIR, { index: false, maxAge: '1h' })
  );

  const sendPage = (
    res: express.Response,
    error: HttpError,
    retryUrl?: string
  ) => {
    metrics.failures.inc({ code: error.code });
    res
      .status(error.status)
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(errorPage(error, { prefix, retryUrl }));
  };

  const redeem = (token: string): { link?: ILink; refusal?: LinkError } => {
    try {
      return { link: redeemLink(keys, token, { audience: context.audience }) };
    } catch (err) {
      if (err instanceof LinkError) {
        return { refusal: err };
      }
      throw err;
    }
  };

  /**
   * The session of the request, if its cookie is valid and the Hub agrees.
   * `fresh` asks the Hub again rather than trusting the short identity
   * cache: a POST starts servers and writes files, so a user who just
   * logged out of the Hub must not get one.
   */
  const currentSession = async (
    req: express.Request,
    fresh = false
  ): Promise<ISession | undefined> => {
    const session = openSession(
      keys,
      parseCookies(req.get('Cookie')).get(SESSION_COOKIE)
    );
    if (!session) {
      return undefined;
    }
    try {
      const identity = await hub.identify(session.token, { fresh });
      return identity.name === session.user ? session : undefined;
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) {
        return undefined;
      }
      throw err;
    }
  };

  const sendToLogin = (res: express.Response, returnPath: string) => {
    const login = beginLogin(config, keys, returnPath);
    res
      .set('Cache-Control', 'no-store')
      .append(
        'Set-Cookie',
        serializeCookie(login.cookieName, login.cookieValue, {
          path: prefix,
          secure,
          maxAgeSeconds: LOGIN_STATE_SECONDS
        })
      )
      .redirect(302, login.authorizeUrl);
  };

  router.get('/l/:token', async (req, res) => {
    const token = req.params.token;
    const { link, refusal } = redeem(token);
    if (refusal && refusal.fault !== 'expired') {
      // Nothing to reveal: no need to log in first.
      sendPage(res, linkErrorToHttp(refusal));
      return;
    }
    const session = await currentSession(req);
    if (!session) {
      sendToLogin(res, linkPath(token));
      return;
    }
    if (!link) {
      sendPage(res, linkErrorToHttp(refusal as LinkError));
      return;
    }

    const environment = environmentOf(
      link.environment,
      config.environmentIgnoreKeys
    );
    let plan: string;
    try {
      checkShareablePath(link.path);
      // Say now, not after "Open a copy", that the file cannot be reached.
      const source = { user: link.sender, server: link.server };
      if (!(await hub.userServers(link.sender)).get(link.server)?.ready) {
        throw serverNotRunning(source);
      }
      const serverPlan = findMatchingServer(
        environment,
        await hub.userServers(session.user),
        config.spawnPolicy,
        config.environmentIgnoreKeys
      );
      if (serverPlan.action === 'start') {
        // Say now, not after "Open a copy", that the service cannot start it.
        await context.serviceScopes.require(START_SERVERS);
      }
      plan = describePlan(serverPlan, environment.pinned);
    } catch (err) {
      if (!(err instanceof HttpError)) {
        throw err;
      }
      // Once the sender starts their server, the same link works.
      const retry =
        err.code === 'server_not_running' ? linkPath(token) : undefined;
      sendPage(res, err, retry);
      return;
    }
    res
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(
        confirmPage({
          prefix,
          action: linkPath(token),
          csrfToken: csrfToken(session, link.id),
          user: session.user,
          sender: link.sender,
          fileName: fileNameOf(link.path),
          environment: environment.label,
          expiresAt: link.expiresAt,
          plan
        })
      );
  });

  router.post(
    '/l/:token',
    express.urlencoded({ extended: false, limit: '4kb' }),
    async (req, res) => {
      const token = req.params.token;
      const streaming = (req.get('Accept') ?? '').includes(
        'application/x-ndjson'
      );
      const body: unknown = req.body;
      const csrf =
        typeof body === 'object' && body !== null
          ? (body as Record<string, unknown>)._csrf
          : undefined;

      const fail = (error: HttpError) => {
        if (!streaming) {
          sendPage(res, error, linkPath(token));
          return;
        }
        metrics.failures.inc({ code: error.code });
        if (!res.headersSent) {
          res.status(error.status).type('application/x-ndjson');
        }
        res.end(JSON.stringify(errorEvent(error)) + '\n');
      };

      const { link, refusal } = redeem(token);
      if (!link) {
        fail(linkErrorToHttp(refusal as LinkError));
        return;
      }
      const session = await currentSession(req, true);
      if (!session) {
        fail(
          new HttpError(
            401,
            'login_needed',
            'Your login has expired. Open the link again to log in.',
            'Please log in again'
          )
        );
        return;
      }
      try {
        enforceRateLimit(context.rateLimits.open, session.user, 'open links');
      } catch (err) {
        fail(err as HttpError);
        return;
      }
      if (!checkCsrfToken(session, link.id, csrf)) {
        logger.warn('open refused: bad CSRF token', {
          user: session.user,
          link: link.id
        });
        fail(
          new HttpError(
            403,
            'csrf_failed',
            'This request did not come from the share link page. Open the' +
              ' link again and press "Open a copy".',
            'Request refused'
          )
        );
        return;
      }

      const aborter = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) {
          aborter.abort();
        }
      });
      const emit = (event: OpenEvent) => {
        if (streaming && !res.writableEnded) {
          res.write(JSON.stringify(event) + '\n');
        }
      };
      if (streaming) {
        res
          .status(200)
          .set({
            'Content-Type': 'application/x-ndjson; charset=utf-8',
            'Cache-Control': 'no-store',
            'X-Accel-Buffering': 'no'
          })
          .flushHeaders();
      }

      try {
        const url = await openCopy(
          context,
          session,
          link,
          emit,
          aborter.signal
        );
        metrics.opens.inc({ outcome: 'copied' });
        if (streaming) {
          emit({ phase: 'done', url });
          res.end();
        } else {
          res.set('Cache-Control', 'no-store').redirect(303, url);
        }
      } catch (err) {
        const error = asOpenError(err);
        metrics.opens.inc({ outcome: error.code });
        if (error.status >= 500) {
          logger.error('open failed', {
            user: session.user,
            link: link.id,
            code: error.code,
            error: err instanceof Error ? err.message : String(err)
          });
        }
        fail(error);
      }
    }
  );

  router.get('/oauth_callback', async (req, res) => {
    const { code, state, error } = req.query;
    if (typeof error === 'string') {
      sendPage(
        res,
        new HttpError(
          403,
          'login_refused',
          'The Hub did not let you use the share-link service. Ask your Hub' +
            ' admin for access to it.',
          'Not allowed'
        )
      );
      return;
    }
    const cookieName = stateCookieName(typeof state === 'string' ? state : '');
    let returnPath: string;
    let session: ISession;
    let lifetime: number;
    try {
      const login = checkLoginState(
        config,
        keys,
        state,
        parseCookies(req.get('Cookie')).get(cookieName)
      );
      const access = await exchangeCode(config, code, login.verifier);
      const identity = await hub.identify(access.token);
      session = {
        user: identity.name,
        token: access.token,
        csrfSecret: newCsrfSecret()
      };
      lifetime = Math.min(access.expiresIn ?? SESSION_SECONDS, SESSION_SECONDS);
      returnPath = login.returnPath;
    } catch (err) {
      if (!(err instanceof HttpError)) {
        throw err;
      }
      logger.warn('login failed', { code: err.code });
      sendPage(res, err);
      return;
    }
    if (!isSafeReturnPath(returnPath, prefix)) {
      returnPath = prefix;
    }
    logger.info('logged in', { user: session.user });
    res
      .set('Cache-Control', 'no-store')
      .append('Set-Cookie', [
        serializeCookie(SESSION_COOKIE, sealSession(keys, session, lifetime), {
          path: prefix,
          secure,
          maxAgeSeconds: lifetime
        }),
        serializeCookie(cookieName, '', {
          path: prefix,
          secure,
          maxAgeSeconds: 0
        })
      ])
      .redirect(302, returnPath);
  });

  return router;
}

/**
 * Open a link for a logged-in recipient: check the sender's file, get the
 * recipient's server ready, copy, and say where the copy is.
 */
async function openCopy(
  context: IServiceContext,
  session: ISession,
  link: ILink,
  emit: (event: OpenEvent) => void,
  signal: AbortSignal
): Promise<string> {
  const { config, logger, hub, contents, metrics } = context;
  const recipient = session.user;
  const log = { user: recipient, sender: link.sender, link: link.id };
  const source = { user: link.sender, server: link.server };

  // The sender's side first: no server is started for a file that is gone.
  checkShareablePath(link.path);
  const info = await contents.stat(source, link.path);
  if (!info) {
    throw fileGone(source, link.path);
  }

  const environment = environmentOf(
    link.environment,
    config.environmentIgnoreKeys
  );
  const plan = findMatchingServer(
    environment,
    await settledServers(hub, recipient, 3000, signal),
    config.spawnPolicy,
    config.environmentIgnoreKeys
  );
  logger.info('server chosen', {
    ...log,
    server: plan.server,
    action: plan.action,
    reason: plan.reason,
    environment: environment.label
  });
  emit({
    phase: 'spawn',
    progress: 0,
    message: describePlan(plan, environment.pinned)
  });

  if (plan.action === 'start') {
    await context.serviceScopes.require(START_SERVERS);
  }
  if (plan.action !== 'reuse') {
    const started = Date.now();
    await ensureServerReady({
      hub,
      logger,
      user: recipient,
      plan,
      timeoutSeconds: config.spawnTimeoutSeconds,
      environmentLabel: environment.pinned ? environment.label : undefined,
      sender: link.sender,
      linkId: link.id,
      signal,
      onEvent: event => emit({ phase: 'spawn', ...event })
    });
    metrics.spawnWait.observe((Date.now() - started) / 1000);
  }
  emit({ phase: 'spawn', progress: 100, message: 'Your server is ready.' });

  const target = { user: recipient, server: plan.server };
  emit({ phase: 'copy', bytes: 0, total: info.size });
  try {
    const copy = await copyFileBetweenServers(
      {
        source,
        path: link.path,
        target,
        maxBytes: config.maxFileBytes,
        linkId: link.id,
        // Looked up just now, before any wait: no second round trip.
        known: plan.action === 'reuse' ? info : undefined
      },
      {
        contents,
        logger,
        signal,
        onProgress: progress => emit({ phase: 'copy', ...progress }),
        isSourceRunning: async () =>
          (await hub.userServers(link.sender)).get(link.server)?.ready === true
      }
    );
    metrics.copies.inc({ outcome: 'copied' });
    metrics.bytesCopied.inc(copy.bytes);
    return landingUrl(config.hubBaseUrl, recipient, plan.server, copy.path);
  } catch (err) {
    metrics.copies.inc({
      outcome: err instanceof HttpError ? err.code : 'internal'
    });
    throw err;
  }
}

/** Any failure of an open, as an error a person can act on. */
function asOpenError(err: unknown): HttpError {
  if (err instanceof HttpError) {
    return err;
  }
  return new HttpError(
    500,
    'internal',
    'The share-link service failed unexpectedly. Try again; if it keeps' +
      ' failing, tell your Hub admin.'
  );
}

/** The NDJSON event for an error; retry is offered when it may help. */
function errorEvent(error: HttpError): OpenEvent {
  return {
    phase: 'error',
    title: error.title,
    message: error.message,
    retry: ![400, 403, 404, 410, 413, 422].includes(error.status)
  };
}
