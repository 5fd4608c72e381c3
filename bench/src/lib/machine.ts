/** What the benchmarks ran on: machine, load and software versions. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

/** The machine and the software under test. */
export interface IMachine {
  cpuModel: string;
  /** What `nproc` says. */
  nproc: number;
  memoryGiB: number;
  kernel: string;
  /** `uptime`'s load averages (1, 5, 15 min) when the run started. */
  loadAtStart: number[];
  versions: Record<string, string>;
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Describe this machine and the versions of node, JupyterHub and friends. */
export function describeMachine(root: string): IMachine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1];
  const python = join(root, '.venv', 'bin', 'python');
  const pyVersion = (module: string) =>
    run(python, [
      '-c',
      `import importlib.metadata as m; print(m.version(${JSON.stringify(module)}))`
    ]);
  return {
    cpuModel: model ?? cpus()[0]?.model ?? 'unknown',
    nproc: Number(run('nproc', [])) || cpus().length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: run('uname', ['-r']),
    loadAtStart: loadavg().map(l => Math.round(l * 100) / 100),
    versions: {
      node: process.version,
      jupyterhub: pyVersion('jupyterhub'),
      'jupyter-server': pyVersion('jupyter-server'),
      jupyterlab: pyVersion('jupyterlab'),
      python: run(python, ['-c', 'import sys; print(sys.version.split()[0])'])
    }
  };
}

/** The 1-minute load average now (other work on the machine). */
export function loadNow(): number {
  return Math.round(loadavg()[0] * 100) / 100;
}
