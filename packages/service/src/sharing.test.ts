/** Minting and describing links, with a stubbed Hub and server. */
import { randomBytes } from 'node:crypto';

import { IServiceContext } from './context';
import { HttpError } from './errors';
import { IServerModel } from './hub';
import { deriveKey, KeyRing } from './keys';
import { createLogger } from './log';
import { Metrics } from './metrics';
import { describeLink, mintShareLink } from './sharing';

const NOW = new Date('2026-12-04T10:00:00Z');

/** A context whose Hub and server record every call. */
function stubContext(calls: string[]): IServiceContext {
  const server: IServerModel = {
    name: 'analysis',
    ready: true,
    pending: null,
    stopped: false,
    url: '/user/alice/analysis/',
    userOptions: { image: 'image-b', share_link_image: 'demo/ds:1' }
  };
  return {
    config: {
      publicUrl: 'https://hub.example.org',
      servicePrefix: '/services/share-link/',
      defaultExpirySeconds: 86400,
      maxExpirySeconds: 7 * 86400,
      maxFileBytes: 1024,
      environmentIgnoreKeys: []
    },
    logger: createLogger('silent'),
    keys: new KeyRing([deriveKey('k1', randomBytes(32))], 'k1'),
    audience: 'test-audience',
    metrics: new Metrics(),
    serviceScopes: { require: async () => undefined },
    hub: {
      userServers: async (user: string) => {
        calls.push(`userServers ${user}`);
        return new Map([['analysis', server]]);
      }
    },
    contents: {
      stat: async (_ref: unknown, path: string) => {
        calls.push(`stat ${path}`);
        return { path, name: path, type: 'file', size: 10 };
      },
      request: async (_ref: unknown, method: string, path: string) => {
        calls.push(`${method} ${path}`);
        return new Response(null, {
          status: 200,
          headers: { 'Content-Length': '42' }
        });
      }
    }
  } as unknown as IServiceContext;
}

const ALICE = { name: 'alice', scopes: [] };

describe('sharing', () => {
  describe('#mintShareLink()', () => {
    it('should check the file on the server and mint a link', async () => {
      const calls: string[] = [];
      const context = stubContext(calls);
      const link = await mintShareLink(
        context,
        ALICE,
        { path: 'project/a b.ipynb', server: 'analysis', expires_in: 3600 },
        NOW
      );
      expect(calls).toEqual([
        'userServers alice',
        'stat project/a b.ipynb',
        'HEAD files/project/a%20b.ipynb'
      ]);
      expect(link.url).toMatch(
        /^https:\/\/hub\.example\.org\/services\/share-link\/l\/[\w-]+\.[\w-]+\.[\w-]+$/
      );
      expect(link.expires_at).toBe('2026-12-04T11:00:00.000Z');
      expect(link.file).toEqual({ name: 'a b.ipynb', size: 42 });
      expect(link.environment).toEqual({
        id: 'image=image-b',
        label: 'image-b (demo/ds:1)',
        pinned: true
      });
      expect(link.description).toContain('2026-12-04 11:00 UTC');
    });

    it.each([
      [{ path: '.env', server: 'analysis' }],
      [{ path: 'a/../b', server: 'analysis' }],
      [{ path: 'a.ipynb', server: 42 }],
      [{ path: 'a.ipynb', server: 'analysis', expires_at: 'soon' }],
      [{ path: 'a.ipynb', server: 'analysis', owner: 'bob' }]
    ])(
      'should refuse %j before any call to the Hub or a server',
      async body => {
        const calls: string[] = [];
        await expect(
          mintShareLink(stubContext(calls), ALICE, body, NOW)
        ).rejects.toBeInstanceOf(HttpError);
        expect(calls).toEqual([]);
      }
    );
  });

  describe('#describeLink()', () => {
    it('should tell sender, file name and expiry, not the folders', async () => {
      const context = stubContext([]);
      const link = await mintShareLink(
        context,
        ALICE,
        { path: 'secret-project/a.ipynb', server: 'analysis' },
        NOW
      );
      const token = link.url.split('/l/')[1];
      const description = describeLink(context, token, { now: NOW });
      expect(description).toEqual({
        sender: 'alice',
        fileName: 'a.ipynb',
        environment: { label: 'image-b (demo/ds:1)', pinned: true },
        expiresAt: new Date('2026-12-05T10:00:00Z'),
        expired: false
      });
      expect(JSON.stringify(description)).not.toContain('secret-project');
    });

    it('should refuse an expired link unless asked to describe it', async () => {
      const context = stubContext([]);
      const link = await mintShareLink(
        context,
        ALICE,
        { path: 'a.ipynb', server: 'analysis', expires_in: 60 },
        NOW
      );
      const token = link.url.split('/l/')[1];
      const later = new Date(NOW.getTime() + 3600_000);
      expect(() => describeLink(context, token, { now: later })).toThrow(
        expect.objectContaining({ status: 410, code: 'link_expired' })
      );
      expect(
        describeLink(context, token, { now: later, allowExpired: true }).expired
      ).toBe(true);
    });

    it('should refuse an altered link with 400', () => {
      expect(() => describeLink(stubContext([]), 'a.b.c')).toThrow(
        expect.objectContaining({ status: 400 })
      );
    });
  });
});
