/**
 * 4. A class at once: recipients with running servers open one link many
 * times concurrently (10, 50, then 200 opens), then recipients without a
 * server open it at once, with the Hub's spawn limit set low so that some
 * must wait for a slot.
 */
import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

import { createUsers, userServers } from '../../../tests/harness/api';
import { IHub } from '../../../tests/harness/hub';
import { Browser, OpenEvent } from '../lib/browser';
import { IBenchOptions, ITarget, fmt, table } from '../lib/result';
import { ISummary, rounded, since, summarize } from '../lib/stats';
import {
  homeOf,
  mint,
  serviceToken,
  usersWithServers,
  writeHomeFile
} from '../lib/world';
import { notebookOf } from './openOverhead';

/** The Hub's concurrent_spawn_limit for this benchmark. */
export const CLASSROOM_SPAWN_LIMIT = 5;

function names(prefix: string, count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `${prefix}${String(i + 1).padStart(2, '0')}`
  );
}

/** Run `action` on every item, at most `parallel` at a time. */
async function eachLimited<T>(
  items: T[],
  parallel: number,
  action: (item: T) => Promise<void>
) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        await action(item);
      }
    })
  );
}

interface ILevel {
  concurrent: number;
  ok: number;
  failed: number;
  errors: string[];
  wallMs: number;
  latency: ISummary;
}

/** Run the classroom benchmark on its own Hub (spawn limit set low). */
export async function classroomBenchmark(hub: IHub, options: IBenchOptions) {
  const classSize = options.quick ? 4 : 20;
  const opensEach = options.quick ? 2 : 10;
  const running = names('r', classSize);
  const fresh = names('s', classSize);
  options.log(`classroom: starting ${classSize + 1} servers`);
  const setupStart = performance.now();
  await usersWithServers(hub, ['alice'], 'srv', { image: 'image-b' });
  await usersWithServers(hub, running, '', { image: 'image-b' }, 3);
  await createUsers(hub, ...fresh);
  const setupSeconds = since(setupStart) / 1000;

  const name = 'lesson.ipynb';
  writeHomeFile(hub, 'alice', name, notebookOf(20 * 1000));
  const link = await mint(hub, await serviceToken(hub, 'alice'), 'srv', name);

  options.log('classroom: logging everyone in');
  const browsers = new Map<string, { browser: Browser; csrf: string }>();
  await eachLimited([...running, ...fresh], 5, async user => {
    const browser = new Browser(hub);
    await browser.login(user);
    browsers.set(user, { browser, csrf: await browser.confirm(link) });
  });

  const clearCopies = () => {
    for (const user of running) {
      for (const file of readdirSync(homeOf(hub, user))) {
        if (file.startsWith('lesson')) {
          unlinkSync(join(homeOf(hub, user), file));
        }
      }
    }
  };

  const levels: ILevel[] = [];
  // First, every recipient's first open at once: each server's first
  // request from the service (token check with the Hub, cold code paths).
  // Then the warm levels.
  const levelSizes = options.quick
    ? [classSize, 2, 4, classSize * opensEach]
    : [classSize, 10, 50, 200];
  for (const concurrent of levelSizes) {
    clearCopies();
    options.log(`classroom: ${concurrent} concurrent opens`);
    const latencies: number[] = [];
    const errors: string[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrent }, async (_, i) => {
        const user = running[i % running.length];
        const { browser, csrf } = browsers.get(user)!;
        const start = performance.now();
        try {
          await browser.open(link, csrf);
          latencies.push(since(start));
        } catch (err) {
          errors.push(err instanceof Error ? err.message : String(err));
        }
      })
    );
    levels.push({
      concurrent,
      ok: latencies.length,
      failed: errors.length,
      errors: [...new Set(errors)].slice(0, 5),
      wallMs: since(started),
      latency: summarize(latencies)
    });
  }
  clearCopies();

  // Everyone without a server opens the link at once: one spawn each.
  options.log(`classroom: ${classSize} opens that start servers`);
  const spawnLatencies: number[] = [];
  const spawnErrors: string[] = [];
  let waited = 0;
  const spawnStarted = performance.now();
  await Promise.all(
    fresh.map(async user => {
      const { browser, csrf } = browsers.get(user)!;
      const start = performance.now();
      let events: OpenEvent[] = [];
      try {
        events = await browser.openStreaming(link, csrf);
      } catch (err) {
        spawnErrors.push(err instanceof Error ? err.message : String(err));
        return;
      }
      const last = events[events.length - 1];
      if (events.some(e => /busy/i.test(String(e.message ?? '')))) {
        waited += 1;
      }
      if (last?.phase === 'done') {
        spawnLatencies.push(since(start));
      } else {
        spawnErrors.push(`${user}: ${JSON.stringify(last)}`);
      }
    })
  );
  const spawnWallMs = since(spawnStarted);
  let oneServerEach = 0;
  for (const user of fresh) {
    const servers = await userServers(hub, user);
    if (Object.keys(servers).length === 1 && servers['']?.ready) {
      oneServerEach += 1;
    }
  }
  const spawnRequests = hub
    .logs()
    .split('\n')
    .filter(line => /server start requested/.test(line)).length;
  const hub429 = hub
    .logs()
    .split('\n')
    .filter(line => /\b429\b/.test(line) && /POST/.test(line)).length;

  const spawn = summarize(spawnLatencies);
  const allOk = levels.every(l => l.failed === 0) && spawnErrors.length === 0;
  const targets: ITarget[] = [
    {
      what: `class: every open succeeds (${levels.map(l => l.concurrent).join(', ')} concurrent, then ${classSize} spawns)`,
      target: 'all succeed',
      measured:
        levels.map(l => `${l.ok}/${l.concurrent}`).join(', ') +
        `, spawns ${spawnLatencies.length}/${classSize}`,
      met: allOk
    },
    {
      what: "class: the Hub's spawn limit met by waiting",
      target: 'no open fails at the limit',
      measured: `${waited} of ${classSize} waited for a slot, ${spawnErrors.length} failed`,
      met: spawnErrors.length === 0
    }
  ];
  const markdown = [
    `${classSize} recipients with running servers (image-b, matching the`,
    `link) open one 20 KB notebook link; ${opensEach} opens each at the`,
    "largest level. The first row is every recipient's first open, all at",
    'once: the first request of the service to each server is slower (the',
    'server checks the token with the Hub, cold code paths); the growth is',
    `measured on the warm rows. Then ${classSize} recipients without a server open it at`,
    `once, with the Hub's \`concurrent_spawn_limit\` = ${CLASSROOM_SPAWN_LIMIT}`,
    '(set through SHARE_LINK_CONCURRENT_SPAWN_LIMIT).',
    `Starting the ${classSize + 1} servers of the setup took ${fmt(setupSeconds, 0)} s.`,
    '',
    table(
      [
        'concurrent opens',
        'succeeded',
        'p50 ms',
        'p95 ms',
        'max ms',
        'all done in ms',
        `p50 vs ${levels[1].concurrent} at once`
      ],
      levels.map((l, i) => [
        i === 0 ? `${l.concurrent} (first opens, cold)` : l.concurrent,
        `${l.ok}/${l.concurrent}`,
        fmt(l.latency.median, 0),
        fmt(l.latency.p95, 0),
        fmt(l.latency.max, 0),
        fmt(l.wallMs, 0),
        i === 0 ? '' : `${fmt(l.latency.median / levels[1].latency.median, 1)}x`
      ])
    ),
    '',
    table(
      [
        'opens that start a server',
        'succeeded',
        'waited for a slot',
        'p50 s',
        'p95 s',
        'max s',
        'all done in s',
        'one server each'
      ],
      [
        [
          classSize,
          `${spawnLatencies.length}/${classSize}`,
          waited,
          fmt(spawn.median / 1000),
          fmt(spawn.p95 / 1000),
          fmt(spawn.max / 1000),
          fmt(spawnWallMs / 1000),
          `${oneServerEach}/${classSize}`
        ]
      ]
    ),
    '',
    `The service asked the Hub to start a server ${spawnRequests} times in`,
    `all (the log lines "server start requested"); the Hub's log shows`,
    `${hub429} POSTs answered 429.`,
    ...(levels.some(l => l.failed) || spawnErrors.length
      ? [
          '',
          'Failures: ' +
            [...levels.flatMap(l => l.errors), ...spawnErrors.slice(0, 5)].join(
              '; '
            )
        ]
      : [])
  ].join('\n');
  return {
    targets,
    markdown,
    data: {
      classSize,
      opensEach,
      setupSeconds,
      levels: levels.map(l => ({ ...l, latency: rounded(l.latency) })),
      spawns: {
        count: classSize,
        ok: spawnLatencies.length,
        waitedForSlot: waited,
        latencyMs: rounded(spawn),
        wallMs: spawnWallMs,
        oneServerEach,
        startRequests: spawnRequests,
        hub429,
        errors: spawnErrors.slice(0, 10)
      }
    }
  };
}
