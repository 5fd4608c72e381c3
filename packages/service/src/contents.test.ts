import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

import { ContentsClient } from './contents';
import { createLogger } from './log';

/** What the stub of a user's server answers to `GET files/...`. */
let reply: { status: number; type: string; body: string; location?: string };

describe('ContentsClient', () => {
  let server: Server;
  let contents: ContentsClient;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(reply.status, {
        'Content-Type': reply.type,
        ...(reply.location ? { Location: reply.location } : {})
      });
      res.end(reply.body);
    });
    await new Promise<void>(resolve =>
      server.listen(0, '127.0.0.1', () => resolve())
    );
    const { port } = server.address() as AddressInfo;
    contents = new ContentsClient({
      hubUrl: `http://127.0.0.1:${port}`,
      hubBaseUrl: '/',
      token: 'test-token',
      logger: createLogger('silent')
    });
  });

  afterAll(async () => {
    await new Promise(resolve => server.close(resolve));
  });

  const read = (path: string) =>
    contents.readFile(
      { user: 'alice', server: '' },
      path,
      AbortSignal.timeout(5000)
    );

  describe('#readFile()', () => {
    const loginPage = '<!doctype html><title>Sign in - JupyterHub</title>';

    it('should refuse an HTML page given for a notebook (C13)', async () => {
      reply = {
        status: 200,
        type: 'text/html; charset=UTF-8',
        body: loginPage
      };
      await expect(read('analysis.ipynb')).rejects.toMatchObject({
        status: 409,
        code: 'server_not_running'
      });
    });

    it('should never follow a redirect to the Hub login (C13)', async () => {
      reply = {
        status: 302,
        type: 'text/html',
        body: '',
        location: '/hub/login?next=%2Fuser%2Falice%2Ffiles%2Fa.ipynb'
      };
      await expect(read('analysis.ipynb')).rejects.toMatchObject({
        code: 'server_not_running'
      });
    });

    it('should read an HTML file that is HTML', async () => {
      reply = { status: 200, type: 'text/html', body: loginPage };
      const file = await read('page.html');
      expect(await new Response(file.body).text()).toBe(loginPage);
    });
  });
});
