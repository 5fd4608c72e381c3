/**
 * The stand-ins for DockerSpawner and KubeSpawner (hub/standins.py) against
 * the real Hub: they take the real spawners' option shapes, refuse what the
 * real ones refuse, and the image-recording hook (hub/record_image.py)
 * leaves the resolved image in the Hub's server model.
 */
import {
  IReply,
  IServerModel,
  createUsers,
  hubApi,
  serverProcessEnv,
  startServer,
  stopServer,
  userServers
} from '../harness/api';
import { IHub, sleep, startHub } from '../harness/hub';

const BASICS = 'share-link-demo/python-basics:2026.12';
const DATA_SCIENCE = 'share-link-demo/data-science:2026.12';
const DATA_SCIENCE_OLD = 'share-link-demo/data-science:2026.06';

/** Start a Hub whose spawner is `spawner` (SHARE_LINK_SPAWNER). */
function hubWith(spawner: string): Promise<IHub> {
  return startHub({
    env: {
      SHARE_LINK_SPAWNER: spawner,
      SHARE_LINK_NAMED_SERVER_LIMIT: '10'
    }
  });
}

/**
 * Ask for a server the spawner must refuse; returns the Hub's reply and the
 * server's model once it is no longer pending.
 */
async function refusedSpawn(
  hub: IHub,
  user: string,
  server: string,
  options: Record<string, unknown>
): Promise<{ reply: IReply; model?: IServerModel }> {
  const reply = await hubApi(hub, 'POST', `users/${user}/servers/${server}`, {
    body: options
  });
  let model = (await userServers(hub, user))[server];
  for (let i = 0; i < 200 && model?.pending; i++) {
    await sleep(100);
    model = (await userServers(hub, user))[server];
  }
  return { reply, model };
}

/**
 * The Hub's `failed` progress event for a server whose spawn failed: where
 * the spawner's error message reaches users (the REST reply hides messages
 * of errors that are not HTTP errors behind a bare 500).
 */
async function spawnFailure(
  hub: IHub,
  user: string,
  server: string
): Promise<string> {
  const res = await fetch(
    `${hub.url}hub/api/users/${user}/servers/${server}/progress`,
    { headers: { Authorization: `token ${hub.adminToken}` } }
  );
  const events = (await res.text())
    .split('\n')
    .filter(line => line.startsWith('data:'))
    .map(
      line =>
        JSON.parse(line.slice('data:'.length)) as {
          failed?: boolean;
          message?: string;
        }
    );
  return events.find(event => event.failed)?.message ?? '';
}

/** The message of a Hub error reply. */
function message(reply: IReply): string {
  const body = reply.body as { message?: string } | null;
  return body?.message ?? '';
}

describe('DockerStandinSpawner', () => {
  let hub: IHub;

  beforeAll(async () => {
    hub = await hubWith('docker-standin');
    await createUsers(hub, 'alice');
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('should run the allowed image a user chose and record it', async () => {
    const model = await startServer(hub, 'alice', 'chosen', {
      image: 'image-b'
    });

    const env = serverProcessEnv(hub, 'alice', 'chosen');
    expect(env?.JUPYTER_IMAGE_SPEC).toBe(DATA_SCIENCE);
    expect(model.user_options).toEqual({
      image: 'image-b',
      share_link_image: DATA_SCIENCE
    });
  });

  it('should run the default image and record its key when none was chosen', async () => {
    const model = await startServer(hub, 'alice', 'plain', {});

    expect(serverProcessEnv(hub, 'alice', 'plain')?.JUPYTER_IMAGE_SPEC).toBe(
      BASICS
    );
    expect(model.user_options).toEqual({
      image: 'image-a',
      share_link_image: BASICS
    });
  });

  it('should refuse an image that is not in allowed_images', async () => {
    const { reply, model } = await refusedSpawn(hub, 'alice', 'bad', {
      image: 'latest-everything'
    });

    const refusal =
      'Image latest-everything not in allowed list: image-a, image-b';
    expect(reply.status).toBe(400);
    expect(message(reply)).toBe(refusal);
    expect(await spawnFailure(hub, 'alice', 'bad')).toBe(
      `Spawn failed: HTTP 400: error (${refusal})`
    );
    expect(model?.ready ?? false).toBe(false);
    expect(serverProcessEnv(hub, 'alice', 'bad')).toBeUndefined();
  });

  it('should restart a kept container with the image it was created with', async () => {
    // DockerSpawner.remove is False by default: the container outlives the
    // stop, and the next start reuses it whatever image is asked for.
    await stopServer(hub, 'alice', 'chosen');
    const stopped = await hubApi<{ servers: Record<string, IServerModel> }>(
      hub,
      'GET',
      'users/alice?include_stopped_servers=1'
    );
    expect(stopped.body.servers.chosen.user_options).toEqual({
      image: 'image-b',
      share_link_image: DATA_SCIENCE
    });

    const model = await startServer(hub, 'alice', 'chosen', {
      image: 'image-a'
    });

    expect(serverProcessEnv(hub, 'alice', 'chosen')?.JUPYTER_IMAGE_SPEC).toBe(
      DATA_SCIENCE
    );
    expect(model.user_options).toEqual({
      image: 'image-a',
      share_link_image: DATA_SCIENCE
    });
  });
});

describe('KubeStandinSpawner', () => {
  let hub: IHub;

  beforeAll(async () => {
    hub = await hubWith('kube-standin');
    await createUsers(hub, 'bob');
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('should run the profile and choice a user asked for and record the image', async () => {
    const model = await startServer(hub, 'bob', 'chosen', {
      profile: 'data-science',
      image: '2026-06'
    });

    const env = serverProcessEnv(hub, 'bob', 'chosen');
    expect(env?.JUPYTER_IMAGE_SPEC).toBe(DATA_SCIENCE_OLD);
    expect(env?.JUPYTER_IMAGE).toBe(DATA_SCIENCE_OLD);
    expect(model.user_options).toEqual({
      profile: 'data-science',
      image: '2026-06',
      share_link_image: DATA_SCIENCE_OLD
    });
  });

  it('should run the default profile for empty options and record its slug', async () => {
    const model = await startServer(hub, 'bob', 'plain', {});

    expect(serverProcessEnv(hub, 'bob', 'plain')?.JUPYTER_IMAGE_SPEC).toBe(
      BASICS
    );
    expect(model.user_options).toEqual({
      profile: 'basics',
      share_link_image: BASICS
    });
  });

  it('should record the default choice of an option the user left out', async () => {
    const model = await startServer(hub, 'bob', 'profile-only', {
      profile: 'data-science'
    });

    expect(
      serverProcessEnv(hub, 'bob', 'profile-only')?.JUPYTER_IMAGE_SPEC
    ).toBe(DATA_SCIENCE);
    expect(model.user_options).toEqual({
      profile: 'data-science',
      image: '2026-12',
      share_link_image: DATA_SCIENCE
    });
  });

  it('should refuse a profile that is not in profile_list', async () => {
    const { reply, model } = await refusedSpawn(hub, 'bob', 'bad-profile', {
      profile: 'gpu'
    });

    // A ValueError: the REST reply is a bare 500, the message is in the
    // spawn's progress.
    expect(reply.status).toBe(500);
    expect(await spawnFailure(hub, 'bob', 'bad-profile')).toBe(
      'Spawn failed: No such profile: gpu. Options include: basics, data-science'
    );
    expect(model?.ready ?? false).toBe(false);
    expect(serverProcessEnv(hub, 'bob', 'bad-profile')).toBeUndefined();
  });

  it('should refuse a choice that the profile does not offer', async () => {
    const { reply, model } = await refusedSpawn(hub, 'bob', 'bad-choice', {
      profile: 'data-science',
      image: '1999-01'
    });

    // KubeSpawner looks the choice up unchecked: a KeyError naming it.
    expect(reply.status).toBe(500);
    expect(await spawnFailure(hub, 'bob', 'bad-choice')).toBe(
      "Spawn failed: '1999-01'"
    );
    expect(model?.ready ?? false).toBe(false);
    expect(serverProcessEnv(hub, 'bob', 'bad-choice')).toBeUndefined();
  });
});
