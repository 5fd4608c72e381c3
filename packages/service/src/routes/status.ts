/**
 * Readiness and metrics: `<prefix>health` answers 200 only while the Hub
 * answers the service, and `<prefix>metrics` serves Prometheus metrics to
 * holders of the Hub's `read:metrics` scope, as the Hub does for its own.
 */
import express from 'express';

import { tokenFromHeader } from '../callers';
import { IServiceContext } from '../context';
import { HttpError } from '../errors';

/** The Hub scope that lets Prometheus read metrics. */
export const METRICS_SCOPE = 'read:metrics';

/** How long a readiness answer is reused, in ms: probes stay cheap. */
const HEALTH_CACHE_MS = 5000;

/** Create the router for `health` and `metrics`. */
export function createStatusRouter(context: IServiceContext): express.Router {
  const router = express.Router();
  let last: { ok: boolean; at: number } | undefined;
  let pending: Promise<boolean> | undefined;

  const hubAnswers = async (): Promise<boolean> => {
    try {
      const res = await context.hub.request('GET', '', {
        signal: AbortSignal.timeout(3000)
      });
      await res.body?.cancel();
      return res.status === 200;
    } catch {
      return false;
    }
  };

  router.get('/health', async (_req, res) => {
    const now = Date.now();
    if (!last || now - last.at > HEALTH_CACHE_MS) {
      // Concurrent probes share one request to the Hub.
      pending ??= hubAnswers().finally(() => (pending = undefined));
      last = { ok: await pending, at: now };
    }
    if (last.ok) {
      res.json({ status: 'ok' });
    } else {
      res.status(503).json({
        status: 'hub_unreachable',
        message: 'The Hub API does not answer the share-link service.'
      });
    }
  });

  router.get('/metrics', async (req, res) => {
    const token = tokenFromHeader(req.get('Authorization'));
    if (!token) {
      throw new HttpError(
        401,
        'unauthorized',
        'Metrics need a Hub token with the read:metrics scope in the' +
          ' Authorization header (the same kind of token Prometheus uses' +
          " for the Hub's own metrics)."
      );
    }
    const identity = await context.hub.identify(token);
    if (!identity.scopes.includes(METRICS_SCOPE)) {
      throw new HttpError(
        403,
        'forbidden',
        'Metrics need a Hub token with the read:metrics scope.'
      );
    }
    const { registry } = context.metrics;
    res.type(registry.contentType).send(await registry.metrics());
  });

  return router;
}
