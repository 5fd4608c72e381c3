/**
 * The sender's side: checking that a file may be shared, minting its link,
 * and telling an authenticated user what a link gives.
 */
import { createHash } from 'node:crypto';

import { ICaller } from './callers';
import { encodePath, IServerRef, serverNotRunning } from './contents';
import { IServiceContext } from './context';
import {
  environmentOf,
  IEnvironment,
  RECORDED_IMAGE_KEY
} from './environments';
import { formatBytes } from './config';
import { HttpError } from './errors';
import { IExpiry, resolveExpiry } from './expiry';
import { IServerModel } from './hub';
import { formatUtc, linkErrorToHttp } from './linkErrors';
import { ILink, LinkError, mintLink, redeemLink } from './links';
import { checkShareablePath, fileNameOf } from './paths';
import { describeSeconds } from './security';
import { ACCESS_SERVERS, READ_SERVERS } from './serviceScopes';

/** An environment as the API shows it. */
export interface IEnvironmentView {
  id: string;
  label: string;
  pinned: boolean;
}

/** The body of `POST api/links`, unchecked. */
export interface IMintRequest {
  path?: unknown;
  server?: unknown;
  /** The server's owner, when the caller says whose server it is in. */
  owner?: unknown;
  expires_in?: unknown;
  expires_at?: unknown;
}

/** The reply to `POST api/links`. */
export interface IMintedLink {
  url: string;
  expires_at: string;
  file: { name: string; size: number };
  environment: IEnvironmentView;
  description: string;
}

/** What a link gives, without the sender's folders. */
export interface ILinkDescription {
  sender: string;
  fileName: string;
  environment: { label: string; pinned: boolean };
  expiresAt: Date;
  expired: boolean;
}

/** An environment without its spawn options, for replies. */
export function environmentView(environment: IEnvironment): IEnvironmentView {
  const { id, label, pinned } = environment;
  return { id, label, pinned };
}

/** The `server` of a request: a string (`''` is the default server). */
export function checkServerName(server: unknown): string {
  if (typeof server !== 'string' || server.length > 255) {
    throw new HttpError(
      400,
      'invalid_request',
      'Give "server": the name of your server as the Hub knows it ("" for' +
        ' your default server).'
    );
  }
  return server;
}

/**
 * The caller's server `server`, as the Hub describes it.
 *
 * @param owner - whose server the caller says it is (JupyterLab's
 *   `hubServerUser`); a server shared with the caller by someone else is
 *   refused: only owners share their files.
 * @throws HttpError 403 `not_owner`, or 404 `not_found` when the caller
 *   has no such server.
 */
export async function findCallersServer(
  context: IServiceContext,
  caller: ICaller,
  server: string,
  owner?: unknown
): Promise<IServerModel> {
  if (owner !== undefined && owner !== caller.name) {
    throw new HttpError(
      403,
      'not_owner',
      `This server belongs to ${typeof owner === 'string' ? owner : 'someone else'}:` +
        ' you can only share files from your own servers. Copy the file to' +
        ' one of your servers to share it.'
    );
  }
  await context.serviceScopes.require(READ_SERVERS);
  const servers = await context.hub.userServers(caller.name);
  const model = servers.get(server);
  if (!model) {
    throw new HttpError(
      404,
      'not_found',
      server
        ? `You have no server named "${server}" on this Hub: share from a` +
            ' server of yours.'
        : 'You have no default server on this Hub: share from a server of' +
            ' yours.'
    );
  }
  return model;
}

/**
 * Check a file of the caller's running server and mint a link to it.
 *
 * Path checks come before any request to the server; then the file must
 * exist, be a regular file (not a folder, not a symbolic link leading out
 * of the server's folder or to a hidden file) and be no larger than the
 * service allows.
 */
export async function mintShareLink(
  context: IServiceContext,
  caller: ICaller,
  request: IMintRequest,
  now: Date = new Date()
): Promise<IMintedLink> {
  const { config } = context;
  const path = checkShareablePath(request.path);
  const serverName = checkServerName(request.server);
  const expiry = resolveExpiry(
    request,
    {
      defaultSeconds: config.defaultExpirySeconds,
      maxSeconds: config.maxExpirySeconds
    },
    now
  );

  const server = await findCallersServer(
    context,
    caller,
    serverName,
    request.owner
  );
  const ref: IServerRef = { user: caller.name, server: serverName };
  if (!server.ready) {
    throw serverNotRunning(ref);
  }
  await context.serviceScopes.require(ACCESS_SERVERS);
  const size = await checkSharedFile(context, ref, path);

  const environment = environmentOf(
    server.userOptions,
    config.environmentIgnoreKeys
  );
  const token = mintLink(
    context.keys,
    {
      sender: caller.name,
      server: serverName,
      path,
      environment: linkEnvironment(environment)
    },
    expiry.expiresAt,
    { audience: context.audience, now }
  );
  // Open the new token once: a link the service could not redeem is never
  // handed out, and this gives its id for the log.
  const link = redeemLink(context.keys, token, {
    audience: context.audience,
    now
  });

  const name = fileNameOf(path);
  context.logger.info('link minted', {
    sender: caller.name,
    server: serverName,
    file: name,
    pathHash: createHash('sha256').update(path).digest('hex').slice(0, 16),
    size,
    expiresAt: link.expiresAt.toISOString(),
    capped: expiry.capped,
    linkId: link.id
  });
  context.metrics.linksMinted.inc();

  return {
    url: `${config.publicUrl}${config.servicePrefix}l/${token}`,
    expires_at: link.expiresAt.toISOString(),
    file: { name, size },
    environment: environmentView(environment),
    description: describeMint(
      name,
      environment,
      expiry,
      config.maxExpirySeconds
    )
  };
}

/**
 * Check the file a link will carry, on the sender's running server.
 *
 * The Contents API reports a symbolic link as a plain `file` (with the
 * link's own size), wherever it points; `/files/` refuses one that leads
 * out of the server's folder (403) or to a hidden file (404), and reports
 * the real size. So the file is asked for both ways.
 *
 * @returns the file's size in bytes.
 */
export async function checkSharedFile(
  context: IServiceContext,
  ref: IServerRef,
  path: string
): Promise<number> {
  const info = await context.contents.stat(ref, path);
  if (!info) {
    throw new HttpError(
      404,
      'not_found',
      `There is no file "${path}" in your server: save it first, or check` +
        ' its name.'
    );
  }
  if (info.type === 'directory') {
    throw new HttpError(
      422,
      'not_shareable',
      "Folders can't be shared yet: share the files in it one by one.",
      "This can't be shared"
    );
  }

  const res = await context.contents.request(
    ref,
    'HEAD',
    `files/${encodePath(path)}`
  );
  await res.body?.cancel();
  if (res.status === 403 || res.status === 404) {
    throw new HttpError(
      422,
      'not_shareable',
      `"${fileNameOf(path)}" is a symbolic link to something outside your` +
        " server's folder or to a hidden file: it can't be shared. Share the" +
        ' file it points to instead, if that is yours to share.',
      "This can't be shared"
    );
  }
  const length = Number(res.headers.get('Content-Length') ?? '');
  if (res.status !== 200 || !Number.isSafeInteger(length) || length < 0) {
    throw new HttpError(
      502,
      'bad_contents_reply',
      `Your server answered ${res.status} when the file was checked. Try` +
        ' again later.'
    );
  }

  const { maxFileBytes } = context.config;
  if (length > maxFileBytes) {
    throw new HttpError(
      422,
      'not_shareable',
      `The file is ${formatBytes(length)}; files of at most` +
        ` ${formatBytes(maxFileBytes)} can be shared on this Hub.`,
      "This can't be shared"
    );
  }
  return length;
}

/**
 * What a link gives, for an authenticated Hub user: sender, file name,
 * environment and expiry; never the sender's folders.
 *
 * @param options.allowExpired - describe an expired (but genuine) link with
 *   `expired: true` instead of refusing it.
 * @throws HttpError from {@link linkErrorToHttp}: 400 for an altered or
 *   incomplete link, 410 for an expired one (unless allowed) or one made
 *   with a retired key.
 */
export function describeLink(
  context: IServiceContext,
  token: string,
  options: { allowExpired?: boolean; now?: Date } = {}
): ILinkDescription {
  let link: ILink;
  let expired = false;
  try {
    link = redeemLink(context.keys, token, {
      audience: context.audience,
      now: options.now
    });
  } catch (err) {
    if (!(err instanceof LinkError)) {
      throw err;
    }
    if (!(options.allowExpired && err.fault === 'expired' && err.expired)) {
      throw linkErrorToHttp(err);
    }
    link = err.expired;
    expired = true;
  }
  const environment = environmentOf(
    link.environment,
    context.config.environmentIgnoreKeys
  );
  return {
    sender: link.sender,
    fileName: fileNameOf(link.path),
    environment: { label: environment.label, pinned: environment.pinned },
    expiresAt: link.expiresAt,
    expired
  };
}

/** The environment a link carries: spawn options and the recorded image. */
function linkEnvironment(environment: IEnvironment): Record<string, unknown> {
  return environment.image
    ? { ...environment.spawnOptions, [RECORDED_IMAGE_KEY]: environment.image }
    : { ...environment.spawnOptions };
}

function describeMint(
  name: string,
  environment: IEnvironment,
  expiry: IExpiry,
  maxSeconds: number
): string {
  const where = environment.pinned
    ? `in the same environment (${environment.label})`
    : "in the Hub's default environment";
  let text =
    'Anyone who can log in to this Hub and opens this link gets their own' +
    ` copy of ${name} as last saved when they open it, ${where}. The link` +
    ` works until ${formatUtc(expiry.expiresAt)}.`;
  if (expiry.capped) {
    text +=
      ' You asked for a longer time: links on this Hub last at most' +
      ` ${describeSeconds(maxSeconds)}, so it was shortened.`;
  }
  return text;
}
