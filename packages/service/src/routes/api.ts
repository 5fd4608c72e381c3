/**
 * The JSON API the JupyterLab extension calls: service info, minting links
 * and inspecting them. Every request carries the user's token in the
 * Authorization header; cookies are never accepted here.
 *
 *   GET  api/info?server=<name>    version, expiry limits, environment
 *   POST api/links                 mint a link (201)
 *   GET  api/links/<token>/info    what a link gives
 *
 * Errors are `{"error": {"code", "message"}}`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import express from 'express';

import { authenticateCaller } from '../callers';
import { IServiceContext } from '../context';
import { environmentOf } from '../environments';
import { HttpError } from '../errors';
import { enforceRateLimit, jsonBody } from '../security';
import {
  checkServerName,
  describeLink,
  environmentView,
  findCallersServer,
  mintShareLink
} from '../sharing';

/** Create the router for `<prefix>api/`. */
export function createApiRouter(context: IServiceContext): express.Router {
  const { config } = context;
  const router = express.Router();
  const version = serviceVersion();

  router.get('/info', async (req, res) => {
    const caller = await authenticateCaller(context, req);
    const serverName = checkServerName(req.query.server);
    const server = await findCallersServer(
      context,
      caller,
      serverName,
      req.query.owner
    );
    const environment = environmentOf(
      server.userOptions,
      config.environmentIgnoreKeys
    );
    res.json({
      version,
      expiry: {
        defaultSeconds: config.defaultExpirySeconds,
        maxSeconds: config.maxExpirySeconds
      },
      environment: environmentView(environment)
    });
  });

  router.post(
    '/links',
    jsonBody(config.maxRequestBodyBytes),
    async (req, res) => {
      const caller = await authenticateCaller(context, req);
      enforceRateLimit(context.rateLimits.mint, caller.name, 'create links');
      const body: unknown = req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new HttpError(
          400,
          'invalid_request',
          'Send a JSON object (Content-Type: application/json) such as' +
            ' {"path": "project/a.ipynb", "server": "", "expires_in": 86400}.'
        );
      }
      const link = await mintShareLink(context, caller, body);
      res.status(201).json(link);
    }
  );

  router.get('/links/:token/info', async (req, res) => {
    await authenticateCaller(context, req);
    const description = describeLink(context, req.params.token);
    res.json({
      sender: description.sender,
      file: { name: description.fileName },
      environment: description.environment,
      expires_at: description.expiresAt.toISOString(),
      expired: description.expired
    });
  });

  return router;
}

/** The service's version, from its package.json (src/ and dist/ alike). */
function serviceVersion(): string {
  try {
    const raw: unknown = JSON.parse(
      readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')
    );
    if (
      typeof raw === 'object' &&
      raw !== null &&
      'version' in raw &&
      typeof raw.version === 'string'
    ) {
      return raw.version;
    }
  } catch {
    // Fall through: a missing version is not worth failing for.
  }
  return 'unknown';
}
