import { environmentOf } from './environments';
import { HttpError } from './errors';
import { HubClient, IProgressEvent, IServerModel, StartResult } from './hub';
import { createLogger } from './log';
import {
  IServerPlan,
  ensureServerReady,
  findMatchingServer,
  settledServers
} from './spawn';

const server = (
  name: string,
  state: 'ready' | 'spawn' | 'stop' | 'stopped',
  options: Record<string, unknown> = {}
): IServerModel => ({
  name,
  ready: state === 'ready',
  pending: state === 'spawn' || state === 'stop' ? state : null,
  stopped: state === 'stopped',
  url: `/user/bob/${name}`,
  userOptions: options
});

const A = { image: 'image-a' };
const B = { image: 'image-b', share_link_image: 'demo/data-science:1' };

describe('#findMatchingServer()', () => {
  const pinned = environmentOf(B);
  const unpinned = environmentOf({});

  it.each([
    [
      'reuse a ready default server of the environment',
      [server('', 'ready', B)],
      'default-then-named',
      'reuse',
      ''
    ],
    [
      'prefer the default server to a named one',
      [server('x', 'ready', B), server('', 'ready', B)],
      'default-then-named',
      'reuse',
      ''
    ],
    [
      'reuse a ready named server',
      [server('', 'ready', A), server('mine', 'ready', B)],
      'default-then-named',
      'reuse',
      'mine'
    ],
    [
      'wait for a matching server that is starting',
      [server('', 'ready', A), server('env-image-b', 'spawn', B)],
      'default-then-named',
      'wait',
      'env-image-b'
    ],
    [
      'start the stopped default server',
      [server('', 'stopped', A)],
      'default-then-named',
      'start',
      ''
    ],
    [
      'start the default server of a new user',
      [],
      'default-then-named',
      'start',
      ''
    ],
    [
      'start the default server once it has stopped',
      [server('', 'stop', A)],
      'default-then-named',
      'start',
      ''
    ],
    [
      'start a named server when the default runs another',
      [server('', 'ready', A)],
      'default-then-named',
      'start',
      'env-image-b'
    ],
    [
      'start a named server when the default starts another',
      [server('', 'spawn', A)],
      'default-then-named',
      'start',
      'env-image-b'
    ],
    [
      'restart a stopped named server',
      [server('', 'ready', A), server('env-image-b', 'stopped', B)],
      'default-then-named',
      'start',
      'env-image-b'
    ],
    [
      'start only named servers under named-only',
      [server('', 'stopped', A)],
      'named-only',
      'start',
      'env-image-b'
    ],
    [
      'still reuse a ready default server under named-only',
      [server('', 'ready', B)],
      'named-only',
      'reuse',
      ''
    ]
  ] as const)('should %s', (_what, servers, policy, action, name) => {
    const plan = findMatchingServer(
      pinned,
      new Map(servers.map(s => [s.name, s])),
      policy
    );
    expect(plan.action).toBe(action);
    expect(plan.server).toBe(name);
    if (action === 'start') {
      expect(plan.options).toEqual({ image: 'image-b' });
    }
  });

  it('should not count a server with the same options but another image', () => {
    const other = { image: 'image-b', share_link_image: 'demo/data-science:0' };
    const plan = findMatchingServer(
      pinned,
      new Map([['', server('', 'ready', other)]]),
      'default-then-named'
    );
    expect(plan).toMatchObject({ action: 'start', server: 'env-image-b' });
  });

  it('should use any ready server for a link without environment', () => {
    const plan = findMatchingServer(
      unpinned,
      new Map([['z', server('z', 'ready', A)]]),
      'default-then-named'
    );
    expect(plan).toMatchObject({ action: 'reuse', server: 'z' });
  });

  it('should start the default server without options for a link without environment', () => {
    const plan = findMatchingServer(unpinned, new Map(), 'named-only');
    expect(plan).toEqual(
      expect.objectContaining({ action: 'start', server: '', options: {} })
    );
  });

  it('should refuse when the environment named server runs something else', () => {
    expect(() =>
      findMatchingServer(
        pinned,
        new Map([
          ['', server('', 'ready', A)],
          ['env-image-b', server('env-image-b', 'ready', A)]
        ]),
        'default-then-named'
      )
    ).toThrow(expect.objectContaining({ status: 409 }));
  });
});

/**
 * A stub of the Hub's API: the recipient's default server goes through the
 * states given, one per look; start requests answer as scripted.
 */
class FakeHub {
  constructor(
    private readonly states: Array<'ready' | 'spawn' | 'stop' | 'stopped'>,
    private readonly starts: Array<StartResult | HttpError>,
    private readonly failure?: string
  ) {}

  looks = 0;
  startRequests = 0;

  async userServers(): Promise<Map<string, IServerModel>> {
    const state = this.states[Math.min(this.looks, this.states.length - 1)];
    this.looks += 1;
    return new Map([['', server('', state, B)]]);
  }

  async startServer(): Promise<StartResult> {
    const reply = this.starts[this.startRequests];
    this.startRequests += 1;
    if (reply instanceof HttpError) {
      throw reply;
    }
    return reply;
  }

  async *progress(): AsyncGenerator<IProgressEvent> {
    if (this.failure) {
      yield { progress: 100, failed: true, message: this.failure };
    }
  }
}

describe('#ensureServerReady()', () => {
  const plan: IServerPlan = {
    action: 'start',
    server: '',
    options: B,
    reason: 'test'
  };
  const ensure = (hub: FakeHub, timeoutSeconds = 10) => {
    const events: string[] = [];
    const ready = ensureServerReady({
      hub: hub as unknown as HubClient,
      logger: createLogger('silent'),
      user: 'bob',
      plan,
      timeoutSeconds,
      environmentLabel: 'image image-b',
      sender: 'alice',
      onEvent: event => events.push(event.message)
    });
    return { ready, events };
  };
  const busy = () => new HttpError(429, 'hub_busy', 'busy').withRetryAfter(45);

  it('should wait while the Hub is busy instead of failing, then start once', async () => {
    const hub = new FakeHub(
      ['stopped', 'stopped', 'stopped', 'ready'],
      [busy(), busy(), 'started']
    );
    const started = Date.now();
    const { ready, events } = ensure(hub);
    await expect(ready).resolves.toMatchObject({ ready: true });
    // The Hub's 45 s suggestion is capped: two waits of at most 1 s + 2 s.
    expect(Date.now() - started).toBeLessThan(4000);
    expect(hub.startRequests).toBe(3);
    expect(events.filter(m => m.startsWith('The Hub is busy'))).toHaveLength(2);
  });

  it('should wait for a stopping server to stop before starting it', async () => {
    const hub = new FakeHub(['stop', 'stop', 'stopped', 'ready'], ['started']);
    const { ready, events } = ensure(hub);
    await expect(ready).resolves.toMatchObject({ ready: true });
    expect(hub.startRequests).toBe(1);
    expect(events).toContain('Waiting for your server to finish stop…');
  });

  it('should report a start that failed at once with the Hub message and the environment', async () => {
    const hub = new FakeHub(
      ['stopped'],
      [new HttpError(502, 'spawn_failed', 'Internal Server Error')],
      "Spawn failed: Image 'image-b' is not in allowed_images: image-a"
    );
    const { ready } = ensure(hub);
    await expect(ready).rejects.toMatchObject({
      status: 502,
      code: 'spawn_failed',
      message: expect.stringContaining(
        "The Hub said: \"Spawn failed: Image 'image-b' is not in"
      )
    });
    await expect(ready).rejects.toMatchObject({
      message: expect.stringMatching(/image image-b.*no longer offers.*alice/)
    });
    expect(hub.startRequests).toBe(1);
  });

  it('should say the server is still starting when the wait runs out', async () => {
    const hub = new FakeHub(['stopped', 'spawn'], ['pending']);
    const { ready } = ensure(hub, 1);
    await expect(ready).rejects.toMatchObject({
      status: 504,
      code: 'spawn_timeout',
      message: expect.stringContaining('still starting')
    });
    expect(hub.startRequests).toBe(1);
  });

  it('should say the Hub was too busy when no start was ever accepted', async () => {
    const hub = new FakeHub(['stopped'], [busy(), busy(), busy(), busy()]);
    const { ready } = ensure(hub, 1);
    await expect(ready).rejects.toMatchObject({
      status: 504,
      message: expect.stringContaining('too busy')
    });
  });
});

describe('#settledServers()', () => {
  /** A Hub whose default server shows its options from the given look on. */
  const hubShowingOptionsAt = (look: number) => {
    let looks = 0;
    return {
      get looks() {
        return looks;
      },
      async userServers(): Promise<Map<string, IServerModel>> {
        looks += 1;
        const options = looks >= look ? { image: 'image-b' } : {};
        return new Map([['', server('', 'spawn', options)]]);
      }
    };
  };

  it('should wait until a start under way shows its options', async () => {
    const hub = hubShowingOptionsAt(3);
    const servers = await settledServers(hub as unknown as HubClient, 'bob');
    expect(hub.looks).toBe(3);
    expect(servers.get('')?.userOptions).toEqual({ image: 'image-b' });
    // The planner then waits for that server instead of starting another.
    const plan = findMatchingServer(
      environmentOf({ image: 'image-b' }),
      servers,
      'default-then-named'
    );
    expect(plan).toEqual(
      expect.objectContaining({ action: 'wait', server: '' })
    );
  });

  it('should give up waiting for options that never come', async () => {
    const hub = hubShowingOptionsAt(Infinity);
    const servers = await settledServers(
      hub as unknown as HubClient,
      'bob',
      300
    );
    expect(servers.get('')?.userOptions).toEqual({});
  });
});
