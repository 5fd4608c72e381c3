/**
 * Readiness and metrics: `<prefix>health` answers 200 only while the Hub
 * answers the service, and `<prefix>metrics` serves Prometheus metrics.
 */
import express from 'express';

import { IServiceContext } from '../context';

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

  router.get('/metrics', async (_req, res) => {
    const { registry } = context.metrics;
    res.type(registry.contentType).send(await registry.metrics());
  });

  return router;
}
