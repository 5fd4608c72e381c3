/**
 * Run the benchmarks against real local Hubs and write bench/results.json
 * and bench/RESULTS.md. Usage (bench/run.sh builds and calls this):
 *
 *   node bench/dist/bench/src/main.js [--quick] [--with-1g]
 *     [--only copy,open,mint,verify,classroom]
 *
 * Results of benchmarks not run this time are kept from the last run, each
 * with its own date.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { IHub } from '../../tests/harness/hub';
import {
  CLASSROOM_SPAWN_LIMIT,
  classroomBenchmark
} from './benchmarks/classroom';
import { copyBenchmark } from './benchmarks/copy';
import { mintBenchmark } from './benchmarks/mint';
import { openOverheadBenchmark } from './benchmarks/openOverhead';
import { verifyBenchmark } from './benchmarks/verify';
import { IMachine, describeMachine, loadNow } from './lib/machine';
import { setupPair, IPair } from './lib/pair';
import { IBenchOptions, IBenchResult, ITarget } from './lib/result';
import { REPO_ROOT, startBenchHub } from './lib/world';

const ORDER = ['copy', 'open', 'mint', 'verify', 'classroom'] as const;
type BenchId = (typeof ORDER)[number];

const TITLES: Record<BenchId, string> = {
  copy: '1. Copy throughput and memory by size',
  open: '2. Opening overhead (20 KB notebook, server running)',
  mint: '3. Minting',
  verify: '5. Token verification',
  classroom: '4. A class at once'
};

interface IResultsFile {
  updatedAt: string;
  benchmarks: Partial<
    Record<BenchId, IBenchResult & { machine: IMachine; quick: boolean }>
  >;
}

function parseArgs(argv: string[]) {
  const only =
    argv.find(a => a.startsWith('--only='))?.slice(7) ??
    (argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined);
  const selected = only
    ? (only.split(',').map(s => s.trim()) as BenchId[])
    : [...ORDER];
  for (const id of selected) {
    if (!ORDER.includes(id)) {
      throw new Error(`unknown benchmark ${id}: use ${ORDER.join(', ')}`);
    }
  }
  const sizes = argv
    .find(a => a.startsWith('--sizes='))
    ?.slice(8)
    .split(',')
    .map(parseSize);
  return {
    selected,
    sizes,
    noSweep: argv.includes('--no-sweep'),
    quick: argv.includes('--quick'),
    withOneGiB: argv.includes('--with-1g')
  };
}

/** `1M`, `100M`, `1G` in bytes. */
function parseSize(text: string): number {
  const match = /^(\d+)([KMG])$/i.exec(text.trim());
  if (!match) {
    throw new Error(`not a size: ${text} (use e.g. 1M, 100M, 1G)`);
  }
  const unit = { K: 1, M: 2, G: 3 }[match[2].toUpperCase() as 'K' | 'M' | 'G'];
  return Number(match[1]) * 1024 ** unit;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const benchDir = join(REPO_ROOT, 'bench');
  const resultsPath = join(benchDir, 'results.json');
  const results: IResultsFile = existsSync(resultsPath)
    ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as IResultsFile)
    : { updatedAt: '', benchmarks: {} };
  const options: IBenchOptions = {
    quick: args.quick,
    withOneGiB: args.withOneGiB,
    sizes: args.sizes,
    noSweep: args.noSweep,
    log: message =>
      console.log(
        `[bench ${new Date().toISOString().slice(11, 19)}] ${message}`
      )
  };
  const machine = describeMachine(REPO_ROOT);
  options.log(
    `${machine.cpuModel}, ${machine.nproc} cores, load ${machine.loadAtStart.join(' ')}`
  );

  const save = (
    id: BenchId,
    result: Omit<IBenchResult, 'id' | 'title' | 'ranAt' | 'load'>,
    load: { before: number; after: number },
    ranAt: string
  ) => {
    results.benchmarks[id] = {
      id,
      title: TITLES[id],
      ranAt,
      load,
      ...result,
      machine,
      quick: args.quick
    };
    results.updatedAt = new Date().toISOString();
    writeFileSync(resultsPath, JSON.stringify(results, null, 2) + '\n');
    writeFileSync(join(benchDir, 'RESULTS.md'), renderMarkdown(results));
  };

  const pairBenchmarks: BenchId[] = args.selected.filter(
    id => id !== 'classroom'
  );
  if (pairBenchmarks.length) {
    options.log(
      'starting a Hub for the copy, open, mint and verify benchmarks'
    );
    const hub = await startBenchHub();
    try {
      const pair: IPair = await setupPair(hub);
      for (const id of ORDER.filter(id => pairBenchmarks.includes(id))) {
        options.log(`running ${TITLES[id]}`);
        const before = loadNow();
        const ranAt = new Date().toISOString();
        const result =
          id === 'copy'
            ? await copyBenchmark(pair, options)
            : id === 'open'
              ? await openOverheadBenchmark(pair, options)
              : id === 'mint'
                ? await mintBenchmark(pair, options)
                : await verifyBenchmark(pair, options);
        save(id, result, { before, after: loadNow() }, ranAt);
      }
    } finally {
      await hub.stop();
    }
  }

  if (args.selected.includes('classroom')) {
    options.log(
      `starting a Hub with concurrent_spawn_limit=${CLASSROOM_SPAWN_LIMIT}`
    );
    let hub: IHub | undefined;
    try {
      hub = await startBenchHub({
        spawnLimit: CLASSROOM_SPAWN_LIMIT,
        env: { SHARE_LINK_LOG_LEVEL: 'info' }
      });
      const before = loadNow();
      const ranAt = new Date().toISOString();
      const result = await classroomBenchmark(hub, options);
      save('classroom', result, { before, after: loadNow() }, ranAt);
    } finally {
      await hub?.stop();
    }
  }

  const missed = Object.values(results.benchmarks).flatMap(b =>
    (b?.targets ?? [])
      .filter((t: ITarget) => !t.met)
      .map(t => `${t.what}: ${t.measured} (target ${t.target})`)
  );
  options.log(`wrote ${resultsPath} and bench/RESULTS.md`);
  if (missed.length) {
    options.log(`targets missed:\n  ${missed.join('\n  ')}`);
  }
}

function renderMarkdown(results: IResultsFile): string {
  const lines = [
    '# Benchmark results',
    '',
    'Written by `bench/run.sh` (see bench/README.md). Every figure is measured',
    'against a real local JupyterHub with real JupyterLab servers; ratios are',
    'to a baseline measured in the same run. Timings are never asserted in',
    'tests.',
    '',
    '## Targets',
    '',
    '| benchmark | what | target | measured | met |',
    '| --- | --- | --- | --- | --- |'
  ];
  const ran = ORDER.filter(id => results.benchmarks[id]);
  for (const id of ran) {
    for (const t of results.benchmarks[id]!.targets) {
      lines.push(
        `| ${id} | ${t.what} | ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`
      );
    }
  }
  for (const id of ran) {
    const b = results.benchmarks[id]!;
    const m = b.machine;
    lines.push(
      '',
      `## ${b.title}`,
      '',
      `Ran ${b.ranAt.replace('T', ' ').slice(0, 16)} UTC${b.quick ? ' (**--quick**: small sizes, few runs)' : ''}` +
        ` on ${m.cpuModel}, ${m.nproc} cores (nproc), ${m.memoryGiB} GiB,` +
        ` Linux ${m.kernel}; node ${m.versions.node}, JupyterHub` +
        ` ${m.versions.jupyterhub}, jupyter-server ${m.versions['jupyter-server']},` +
        ` JupyterLab ${m.versions.jupyterlab}. Load average (1 min) before` +
        ` ${b.load.before}, after ${b.load.after}` +
        (b.load.before > 1 || b.load.after > 1
          ? ': other work was running on this machine, so figures are noisy.'
          : '.'),
      '',
      b.markdown
    );
  }
  return lines.join('\n') + '\n';
}

main().catch(err => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
