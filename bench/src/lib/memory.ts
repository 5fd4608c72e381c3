/**
 * Memory of a process from /proc: the resident set (VmRSS) sampled while a
 * benchmark runs, and the kernel's own peak (VmHWM), reset before each
 * measurement where the kernel allows it.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** Resident memory figures of a process, in MiB. */
export interface IMemoryPeak {
  /** The largest VmRSS seen by sampling. */
  sampledPeakMiB: number;
  /** VmHWM at the end: the kernel's peak since the last reset. */
  hwmMiB: number;
  /** Whether VmHWM was reset before the measurement. */
  hwmReset: boolean;
  /** VmRSS before the measurement. */
  baseMiB: number;
}

/** One field of /proc/<pid>/status, in MiB. */
export function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1];
  return kb ? Number(kb) / 1024 : NaN;
}

/** Samples a process's memory while a measurement runs. */
export class MemorySampler {
  constructor(
    readonly pid: number,
    private readonly _intervalMs = 20
  ) {}

  /** Reset the kernel's peak and start sampling. */
  start(): void {
    try {
      // "5" resets the peak resident set size (Linux 4.0+).
      writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
      this._reset = true;
    } catch {
      this._reset = false;
    }
    this._base = statusMiB(this.pid, 'VmRSS');
    this._peak = this._base;
    this._timer = setInterval(() => {
      try {
        this._peak = Math.max(this._peak, statusMiB(this.pid, 'VmRSS'));
      } catch {
        // The process ended; the last value stands.
      }
    }, this._intervalMs);
  }

  /** Stop sampling and report. */
  stop(): IMemoryPeak {
    clearInterval(this._timer);
    const hwm = statusMiB(this.pid, 'VmHWM');
    return {
      sampledPeakMiB: Math.max(this._peak, statusMiB(this.pid, 'VmRSS')),
      hwmMiB: hwm,
      hwmReset: this._reset,
      baseMiB: this._base
    };
  }

  private _timer: NodeJS.Timeout | undefined;
  private _base = 0;
  private _peak = 0;
  private _reset = false;
}
