/**
 * The foundation against the real thing: the project's Hub configuration
 * starts, runs the share-link service, and spawns servers with the image a
 * user chose.
 */
import {
  createUsers,
  hubApi,
  serverProcessEnv,
  startServer,
  userServers
} from '../harness/api';
import { IHub, sleep, startHub } from '../harness/hub';

describe('the local Hub', () => {
  let hub: IHub;

  beforeAll(async () => {
    hub = await startHub();
    await createUsers(hub, 'alice');
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('should run the share-link service behind the Hub', async () => {
    const res = await fetch(`${hub.serviceUrl}health`);
    expect(res.status).toBe(200);
  });

  it('should start a named server with the chosen image', async () => {
    const model = await startServer(hub, 'alice', 'analysis', {
      image: 'image-b'
    });
    expect(model.user_options).toEqual(
      expect.objectContaining({ image: 'image-b' })
    );
    const env = serverProcessEnv(hub, 'alice', 'analysis');
    expect(env?.JUPYTER_IMAGE_SPEC).toBe(
      'share-link-demo/data-science:2026.12'
    );
  });

  it('should refuse an image that is not allowed', async () => {
    await hubApi(hub, 'POST', 'users/alice/servers/bad', {
      body: { image: 'not-an-image' }
    });
    // The Hub accepts the request; the spawner then refuses the image.
    let model = (await userServers(hub, 'alice')).bad;
    for (let i = 0; i < 100 && model?.pending; i++) {
      await sleep(100);
      model = (await userServers(hub, 'alice')).bad;
    }
    expect(model?.ready ?? false).toBe(false);
    expect(serverProcessEnv(hub, 'alice', 'bad')).toBeUndefined();
  });

  it('should serve the extension to JupyterLab', async () => {
    const res = await fetch(
      `${hub.url}user/alice/analysis/lab/api/extensions`,
      { headers: { Authorization: `token ${hub.adminToken}` } }
    );
    // The admin service token may reach every server.
    expect(res.status).toBe(200);
    const extensions = (await res.json()) as Array<{ name: string }>;
    expect(extensions.map(e => e.name)).toContain('jupyterhub-share-link');
  });
});
