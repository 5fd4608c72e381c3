/**
 * 2. Opening overhead: a 20 KB notebook into a running server, from the
 * confirming POST to the 303, against the two Contents API calls alone
 * (download, one upload), and against a replay of every request the service
 * makes, to show where the time goes.
 */
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';

import { encodePath, hubApi, serverUrl } from '../../../tests/harness/api';
import { download, putBase64, stat } from '../lib/direct';
import { IPair, landedPath } from '../lib/pair';
import { IBenchOptions, ITarget, fmt, table } from '../lib/result';
import { ISummary, rounded, since, summarize } from '../lib/stats';
import { homeOf, mint, writeHomeFile } from '../lib/world';

/** A notebook of about `bytes` bytes. */
export function notebookOf(bytes: number): Buffer {
  const cells = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const source = `# cell ${i}\nimport math\nprint([math.sqrt(n) for n in range(${i}, ${i + 40})])\n`;
    cells.push({
      cell_type: 'code',
      execution_count: null,
      id: `cell-${i}`,
      metadata: {},
      outputs: [],
      source: source.split(/(?<=\n)/)
    });
    size = JSON.stringify({ cells }).length;
  }
  return Buffer.from(
    JSON.stringify(
      { cells, metadata: {}, nbformat: 4, nbformat_minor: 5 },
      null,
      1
    ) + '\n'
  );
}

/** Replay the requests of one open, timing each. */
async function replayOpen(pair: IPair, name: string, run: number) {
  const { hub, source } = pair;
  const times: Record<string, number> = {};
  const step = async <T>(what: string, action: () => Promise<T>) => {
    const start = performance.now();
    const value = await action();
    times[what] = (times[what] ?? 0) + since(start);
    return value;
  };
  const put = (path: string, body: unknown) =>
    fetch(`${serverUrl(hub, 'bob', '')}api/contents/${encodePath(path)}`, {
      method: 'PUT',
      headers: {
        Authorization: `token ${hub.adminToken}`,
        'Content-Type': 'application/json'
      },
      body: JSON.stringify(body)
    }).then(async res => {
      await res.body?.cancel();
      return res.status;
    });

  await step('stat at the sender (open)', () => stat(source, name));
  await step('Hub: the recipient\u2019s servers', () =>
    hubApi(hub, 'GET', 'users/bob?include_stopped_servers=1')
  );
  await step('stat at the sender (copy)', () => stat(source, name));
  // The copy creates its (empty) temporary file, probing for a hidden
  // name, while it reads the file.
  const empty = (chunk: number) => ({
    type: 'file',
    format: 'base64',
    content: '',
    chunk
  });
  const createTemporary = async () => {
    const hidden = `.~bench-${run}.part`;
    if ((await put(hidden, empty(1))) < 300) {
      return hidden;
    }
    await put(`${name}.bench-${run}.part`, empty(1));
    return `${name}.bench-${run}.part`;
  };
  const [bytes, temporary] = await step(
    'GET files/ at the sender, while creating the temporary file' +
      ' (empty PUT to a hidden name, refused by default, then a visible one)',
    () => Promise.all([download(source, name), createTemporary()])
  );
  // The data completes the announced length: it goes as the last chunk.
  await step('PUT chunk -1 (the data, ending the upload)', () =>
    put(temporary, {
      type: 'file',
      format: 'base64',
      content: bytes.toString('base64'),
      chunk: -1
    })
  );
  await step('PATCH rename', () =>
    fetch(`${serverUrl(hub, 'bob', '')}api/contents/${encodePath(temporary)}`, {
      method: 'PATCH',
      headers: {
        Authorization: `token ${hub.adminToken}`,
        'Content-Type': 'application/json'
      },
      body: JSON.stringify({ path: `replay-${run}.ipynb` })
    }).then(res => res.body?.cancel())
  );
  return times;
}

/** Run the opening-overhead benchmark. */
export async function openOverheadBenchmark(
  pair: IPair,
  options: IBenchOptions
) {
  const { hub, bob, source, target } = pair;
  const name = 'bench-open.ipynb';
  const notebook = notebookOf(20 * 1000);
  writeHomeFile(hub, 'alice', name, notebook);
  const link = await mint(hub, pair.aliceToken, 'srv', name);
  const csrf = await bob.confirm(link);
  const bobHome = homeOf(hub, 'bob');
  const runs = options.quick ? 5 : 40;

  const serviceMs: number[] = [];
  const directMs: number[] = [];
  const replayMs: number[] = [];
  const steps: Record<string, number[]> = {};
  for (let run = -3; run < runs; run++) {
    // Runs below 0 warm up and are not counted.
    let start = performance.now();
    const location = await bob.open(link, csrf);
    const service = since(start);
    unlinkSync(join(bobHome, landedPath(location)));

    start = performance.now();
    const bytes = await download(source, name);
    await putBase64(target, `direct-${run}.ipynb`, bytes);
    const direct = since(start);
    unlinkSync(join(bobHome, `direct-${run}.ipynb`));

    start = performance.now();
    const times = await replayOpen(pair, name, run);
    const replay = since(start);
    unlinkSync(join(bobHome, `replay-${run}.ipynb`));
    if (run >= 0) {
      serviceMs.push(service);
      directMs.push(direct);
      replayMs.push(replay);
      for (const [what, ms] of Object.entries(times)) {
        (steps[what] ??= []).push(ms);
      }
    }
  }
  options.log(`open overhead: ${runs} runs done`);

  const service = summarize(serviceMs);
  const direct = summarize(directMs);
  const replay = summarize(replayMs);
  const added = service.median - direct.median;
  const targets: ITarget[] = [
    {
      what: 'opening a 20 KB notebook: time the service adds (median)',
      target: '< 50 ms',
      measured: `${fmt(added)} ms`,
      met: added < 50
    }
  ];
  const row = (what: string, s: ISummary) => [
    what,
    fmt(s.median),
    `${fmt(s.p5)}–${fmt(s.p95)}`,
    `${fmt(s.min)}–${fmt(s.max)}`
  ];
  const markdown = [
    `${notebook.length}-byte notebook, recipient's server running, ${runs}`,
    'runs each (after 3 warm-up runs), interleaved.',
    '',
    table(
      ['what', 'median ms', 'p5–p95', 'min–max'],
      [
        row('the service: confirming POST to 303', service),
        row('baseline: GET files/ + one PUT', direct),
        row('replay of every request the service makes', replay),
        ...Object.entries(steps).map(([what, ms]) =>
          row(`\u2003${what}`, summarize(ms))
        )
      ]
    ),
    '',
    `The service adds ${fmt(added)} ms at the median over the two calls;`,
    `the replay of its requests accounts for ${fmt(replay.median - direct.median)} ms`,
    `of that, the rest (${fmt(service.median - replay.median)} ms) is the`,
    "service's own work (token, session, Express, the 303) and the",
    "browser-side POST through the Hub's proxy."
  ].join('\n');
  return {
    targets,
    markdown,
    data: {
      notebookBytes: notebook.length,
      runs,
      serviceMs: rounded(service),
      directMs: rounded(direct),
      replayMs: rounded(replay),
      addedMedianMs: added,
      steps: Object.fromEntries(
        Object.entries(steps).map(([k, v]) => [k, rounded(summarize(v))])
      )
    }
  };
}
