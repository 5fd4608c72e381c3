/**
 * 1. Copy throughput and memory by file size: the service's copy through
 * the real open flow, against (a) a client doing the same two Contents API
 * transfers one after the other and (b) `cp` on the same disk. Then a sweep
 * of the copy's chunk size, run in this process against the same servers.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  openSync,
  unlinkSync,
  writeSync
} from 'node:fs';
import { join } from 'node:path';

import { ContentsClient } from '../../../packages/service/dist/contents';
import {
  CHUNK_BYTES,
  copyFileBetweenServers
} from '../../../packages/service/dist/copy';
import { createLogger } from '../../../packages/service/dist/log';
import { download, upload } from '../lib/direct';
import { MemorySampler, IMemoryPeak } from '../lib/memory';
import { IPair, landedPath } from '../lib/pair';
import { IBenchOptions, ITarget, fmt, table } from '../lib/result';
import { summarize, since, rounded } from '../lib/stats';
import { sleep } from '../../../tests/harness/hub';
import { homeOf, mint, servicePid } from '../lib/world';

const MiB = 1024 * 1024;

/** Write `size` random bytes to `path`; return their sha256. */
function writeRandomFile(path: string, size: number): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < size;) {
      const piece = randomBytes(Math.min(64 * MiB, size - written));
      hash.update(piece);
      writeSync(fd, piece);
      written += piece.length;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path)) {
    hash.update(piece as Buffer);
  }
  return hash.digest('hex');
}

function label(size: number): string {
  return size >= 1024 * MiB ? `${size / 1024 / MiB} GiB` : `${size / MiB} MiB`;
}

/** The largest multiple of 3 not above `bytes` (the copy's chunk rule). */
function multipleOf3(bytes: number): number {
  return bytes - (bytes % 3);
}

interface ISizeResult {
  size: number;
  label: string;
  runs: number;
  serviceMs: number[];
  directMs: number[];
  cpMs: number[];
  memory: IMemoryPeak[];
}

/** Run the copy benchmark on a prepared pair of servers. */
export async function copyBenchmark(pair: IPair, options: IBenchOptions) {
  const { hub, bob, source, target } = pair;
  const sizes =
    options.sizes ??
    (options.quick
      ? [1 * MiB, 16 * MiB]
      : [1 * MiB, 100 * MiB, ...(options.withOneGiB ? [1024 * MiB] : [])]);
  const runsFor = (size: number) =>
    options.quick ? 2 : size <= MiB ? 9 : size <= 100 * MiB ? 5 : 2;
  const pid = servicePid(hub);
  const aliceHome = homeOf(hub, 'alice');
  const bobHome = homeOf(hub, 'bob');
  const results: ISizeResult[] = [];

  for (const size of sizes) {
    const name = `bench-${size}.bin`;
    const sourcePath = join(aliceHome, name);
    const expected = writeRandomFile(sourcePath, size);
    // Writing blocked the event loop for seconds: let fetch see the
    // keep-alive connections the proxy closed meanwhile before reusing one.
    await sleep(200);
    const link = await mint(hub, pair.aliceToken, 'srv', name);
    const csrf = await bob.confirm(link);
    const result: ISizeResult = {
      size,
      label: label(size),
      runs: runsFor(size),
      serviceMs: [],
      directMs: [],
      cpMs: [],
      memory: []
    };
    // One untimed open first: connections, caches and code paths warm.
    if (size <= MiB) {
      unlinkSync(join(bobHome, landedPath(await bob.open(link, csrf))));
    }
    for (let run = 0; run < result.runs; run++) {
      options.log(`copy ${result.label}: run ${run + 1}/${result.runs}`);
      // The service, through the real open flow.
      const sampler = new MemorySampler(pid);
      sampler.start();
      let start = performance.now();
      const location = await bob.open(link, csrf);
      result.serviceMs.push(since(start));
      result.memory.push(sampler.stop());
      const copied = join(bobHome, landedPath(location));
      if (run === 0 && (await sha256File(copied)) !== expected) {
        throw new Error(`the service's copy of ${result.label} differs`);
      }
      unlinkSync(copied);

      // (a) Download, then upload in JupyterLab's 1 MiB chunks.
      const directName = `direct-${run}.bin`;
      start = performance.now();
      await upload(target, directName, await download(source, name));
      result.directMs.push(since(start));
      if (
        run === 0 &&
        (await sha256File(join(bobHome, directName))) !== expected
      ) {
        throw new Error(`the direct copy of ${result.label} differs`);
      }
      unlinkSync(join(bobHome, directName));

      // (b) cp on the same disk.
      const cpPath = join(aliceHome, `.cp-${run}.bin`);
      start = performance.now();
      execFileSync('cp', [sourcePath, cpPath]);
      result.cpMs.push(since(start));
      unlinkSync(cpPath);
    }
    results.push(result);
  }

  // The chunk-size sweep: the service's copy function, in this process.
  const sweepSize = options.quick ? 16 * MiB : 100 * MiB;
  const sweepName = `bench-${sweepSize}.bin`;
  if (!existsSync(join(aliceHome, sweepName))) {
    writeRandomFile(join(aliceHome, sweepName), sweepSize);
  }
  const contents = new ContentsClient({
    hubUrl: hub.origin,
    hubBaseUrl: hub.baseUrl,
    token: hub.adminToken,
    logger: createLogger('silent')
  });
  const sweepChunks = options.noSweep
    ? []
    : [1, 2, 4, 8, 16].map(m => multipleOf3(m * MiB));
  const sweepRuns = options.quick ? 1 : 3;
  const sweep: Array<{ chunkBytes: number; ms: number[] }> = [];
  for (const chunkBytes of sweepChunks) {
    const row = { chunkBytes, ms: [] as number[] };
    for (let run = 0; run < sweepRuns; run++) {
      options.log(
        `chunk sweep ${fmt(chunkBytes / MiB, 2)} MiB: run ${run + 1}`
      );
      const start = performance.now();
      const copy = await copyFileBetweenServers(
        {
          source: { user: 'alice', server: 'srv' },
          path: sweepName,
          target: { user: 'bob', server: '' },
          maxBytes: 4 * 1024 * MiB
        },
        { contents, logger: createLogger('silent'), chunkBytes }
      );
      row.ms.push(since(start));
      unlinkSync(join(bobHome, copy.path));
    }
    sweep.push(row);
  }
  // The sequential client with the service's chunk size: how much of the
  // gain is the chunk size and how much the overlap.
  const directBig: number[] = [];
  for (let run = 0; run < (options.noSweep ? 0 : sweepRuns); run++) {
    const start = performance.now();
    await upload(
      target,
      'direct-big.bin',
      await download(source, sweepName),
      CHUNK_BYTES
    );
    directBig.push(since(start));
    unlinkSync(join(bobHome, 'direct-big.bin'));
  }

  return report(results, sweep, sweepSize, directBig);
}

function report(
  results: ISizeResult[],
  sweep: Array<{ chunkBytes: number; ms: number[] }>,
  sweepSize: number,
  directBig: number[]
) {
  const mibps = (size: number, ms: number) => size / MiB / (ms / 1000);
  const rows = results.map(r => {
    const service = summarize(r.serviceMs);
    const direct = summarize(r.directMs);
    const cp = summarize(r.cpMs);
    const peak = Math.max(...r.memory.map(m => m.hwmMiB));
    const sampled = Math.max(...r.memory.map(m => m.sampledPeakMiB));
    return { r, service, direct, cp, peak, sampled };
  });
  const targets: ITarget[] = [];
  for (const { r, service, direct } of rows) {
    const ratio = direct.median / service.median;
    targets.push({
      what: `copy throughput ${r.label} vs direct client`,
      target: '>= 1.0x (aim 1.2x)',
      measured: `${fmt(ratio, 2)}x`,
      met: ratio >= 1.0
    });
  }
  const big = rows.find(x => x.r.size >= 1024 * MiB);
  targets.push({
    what: 'peak service memory, 1 GiB copy',
    target: '< 150 MiB',
    measured: big ? `${fmt(big.peak)} MiB` : 'not run (pass --with-1g)',
    met: big ? big.peak < 150 : false
  });

  const copyTable = table(
    [
      'size',
      'runs',
      'service MiB/s (median, min–max)',
      'direct MiB/s',
      'cp MiB/s',
      'service / direct',
      'service / cp',
      'service peak RSS MiB (VmHWM)'
    ],
    rows.map(({ r, service, direct, cp, peak, sampled }) => [
      r.label,
      r.runs,
      `${fmt(mibps(r.size, service.median))} (${fmt(mibps(r.size, service.max))}–${fmt(mibps(r.size, service.min))})`,
      `${fmt(mibps(r.size, direct.median))} (${fmt(mibps(r.size, direct.max))}–${fmt(mibps(r.size, direct.min))})`,
      `${fmt(mibps(r.size, cp.median))}`,
      `${fmt(direct.median / service.median, 2)}x`,
      `${fmt(cp.median / service.median, 3)}x`,
      `${fmt(peak)} (sampled ${fmt(sampled)})`
    ])
  );
  const sweepTable = table(
    ['chunk', 'runs', `MiB/s for ${label(sweepSize)} (median, min–max)`],
    [
      ...sweep.map(row => {
        const s = summarize(row.ms);
        return [
          `${fmt(row.chunkBytes / MiB, 2)} MiB${row.chunkBytes === CHUNK_BYTES ? ' (service default)' : ''}`,
          row.ms.length,
          `${fmt(mibps(sweepSize, s.median))} (${fmt(mibps(sweepSize, s.max))}–${fmt(mibps(sweepSize, s.min))})`
        ];
      }),
      [
        `sequential client, ${fmt(CHUNK_BYTES / MiB, 2)} MiB chunks`,
        directBig.length,
        `${fmt(mibps(sweepSize, summarize(directBig).median))}`
      ]
    ]
  );
  const markdown = [
    'Time from the confirming POST to the 303 (the service: stat, server',
    'lookup, streamed read, chunked base64 writes, rename), against (a) a',
    'client that downloads `files/<path>` whole and then uploads it in 1 MiB',
    'base64 chunks as JupyterLab does, both through the Hub proxy with a',
    'token, and (b) `cp` of the same file on the same disk (page cache warm).',
    'Ratios are throughput ratios (baseline time / service time). Memory:',
    "the service process's VmHWM, reset before each copy",
    '(`/proc/<pid>/clear_refs`), and VmRSS sampled every 20 ms.',
    '',
    copyTable,
    '',
    `Chunk-size sweep: \`copyFileBetweenServers\` (packages/service/dist)`,
    'called in the benchmark process against the same servers.',
    '',
    sweepTable
  ].join('\n');
  return {
    targets,
    markdown,
    data: {
      sizes: rows.map(({ r, service, direct, cp, peak, sampled }) => ({
        size: r.size,
        label: r.label,
        runs: r.runs,
        serviceMs: rounded(service),
        directMs: rounded(direct),
        cpMs: rounded(cp),
        serviceMiBps: mibps(r.size, service.median),
        directMiBps: mibps(r.size, direct.median),
        cpMiBps: mibps(r.size, cp.median),
        ratioToDirect: direct.median / service.median,
        ratioToCp: cp.median / service.median,
        peakRssMiB: peak,
        sampledPeakRssMiB: sampled,
        memory: r.memory
      })),
      chunkSweep: sweep.map(row => ({
        chunkBytes: row.chunkBytes,
        ms: rounded(summarize(row.ms)),
        MiBps: mibps(sweepSize, summarize(row.ms).median)
      })),
      sequentialWithServiceChunkMs: rounded(summarize(directBig)),
      sweepSize
    }
  };
}
