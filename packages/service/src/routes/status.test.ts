/** Readiness follows the Hub; metrics are served. */
import { AddressInfo } from 'node:net';

import express from 'express';

import { IServiceContext } from '../context';
import { Metrics } from '../metrics';
import { createStatusRouter } from './status';

/** Serve the status router with a Hub that answers as `hubUp` says. */
async function serve(hub: { up: boolean; calls: number }) {
  const context = {
    metrics: new Metrics(),
    hub: {
      identify: async (token: string) => ({
        name: 'prometheus',
        kind: 'service',
        scopes: token === 'metrics-token' ? ['read:metrics'] : ['self']
      }),
      request: async () => {
        hub.calls++;
        if (!hub.up) {
          throw new Error('connection refused');
        }
        return new Response('{}', { status: 200 });
      }
    }
  } as unknown as IServiceContext;
  const app = express();
  app.use(createStatusRouter(context));
  const server = app.listen(0, '127.0.0.1');
  await new Promise(resolve => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, close: () => server.close() };
}

describe('status', () => {
  describe('GET health', () => {
    it('should answer 200 while the Hub answers, cheaply', async () => {
      const hub = { up: true, calls: 0 };
      const { base, close } = await serve(hub);
      try {
        const replies = await Promise.all(
          [1, 2, 3, 4, 5].map(() => fetch(`${base}/health`))
        );
        expect(replies.map(r => r.status)).toEqual([200, 200, 200, 200, 200]);
        // Probes within a few seconds share one request to the Hub.
        expect(hub.calls).toBe(1);
      } finally {
        close();
      }
    });

    it('should answer 503 when the Hub does not', async () => {
      const { base, close } = await serve({ up: false, calls: 0 });
      try {
        const res = await fetch(`${base}/health`);
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual(
          expect.objectContaining({ status: 'hub_unreachable' })
        );
      } finally {
        close();
      }
    });
  });

  describe('GET metrics', () => {
    it('should refuse callers without a token or the scope', async () => {
      const { base, close } = await serve({ up: true, calls: 0 });
      try {
        expect((await fetch(`${base}/metrics`)).status).toBe(401);
        const other = await fetch(`${base}/metrics`, {
          headers: { Authorization: 'token user-token' }
        });
        expect(other.status).toBe(403);
      } finally {
        close();
      }
    });

    it('should serve Prometheus text to read:metrics', async () => {
      const { base, close } = await serve({ up: true, calls: 0 });
      try {
        const res = await fetch(`${base}/metrics`, {
          headers: { Authorization: 'token metrics-token' }
        });
        expect(res.status).toBe(200);
        expect(res.headers.get('Content-Type')).toContain('text/plain');
        expect(await res.text()).toContain('share_link_links_minted_total 0');
      } finally {
        close();
      }
    });
  });
});
