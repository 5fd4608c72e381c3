/**
 * Who is calling the API: the Hub user whose token is in the Authorization
 * header. Cookies are never looked at here, so a page elsewhere cannot make
 * a user's browser call the API on their behalf.
 */
import express from 'express';

import { IServiceContext } from './context';
import { HttpError } from './errors';

/** An authenticated API caller. */
export interface ICaller {
  /** The Hub user name. */
  name: string;
  /** The scopes of the caller's token. */
  scopes: string[];
}

/**
 * The token of an `Authorization: token <t>` (or `Bearer <t>`) header, as
 * the Hub itself accepts; undefined for anything else.
 */
export function tokenFromHeader(
  header: string | undefined
): string | undefined {
  const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1] : undefined;
}

/** The scopes that allow using this service. */
export function serviceAccessScopes(serviceName: string): string[] {
  return ['access:services', `access:services!service=${serviceName}`];
}

/**
 * Identify the caller of an API request through the Hub and check that
 * their token may use this service.
 *
 * @throws HttpError 401 `unauthorized` without a token or with one the Hub
 *   refuses; 403 `forbidden` for a token of a service, or one without the
 *   scope `access:services!service=<name>`.
 */
export async function authenticateCaller(
  context: IServiceContext,
  req: express.Request
): Promise<ICaller> {
  const token = tokenFromHeader(req.get('Authorization'));
  if (!token) {
    throw new HttpError(
      401,
      'unauthorized',
      'Send your Hub token in the Authorization header' +
        ' ("Authorization: token <your token>"). Cookies are not accepted' +
        ' here. In JupyterLab, reload the page and try again.'
    );
  }

  const identity = await context.hub.identify(token);
  if (identity.kind !== 'user') {
    throw new HttpError(
      403,
      'forbidden',
      'Only Hub users can share files; this token belongs to a' +
        ` ${identity.kind}.`
    );
  }

  const { serviceName } = context.config;
  const allowed = serviceAccessScopes(serviceName);
  if (!identity.scopes.some(scope => allowed.includes(scope))) {
    throw new HttpError(
      403,
      'forbidden',
      'Your token may not use the share-link service: it lacks the scope' +
        ` "access:services!service=${serviceName}". Reload JupyterLab; if` +
        ' this persists, ask your Hub admin to grant you that scope and to' +
        ' add it to c.Spawner.oauth_client_allowed_scopes.'
    );
  }
  return { name: identity.name, scopes: identity.scopes };
}
