/** What every benchmark reports. */

/** One target of the issue, and whether this run met it. */
export interface ITarget {
  what: string;
  target: string;
  measured: string;
  met: boolean;
}

/** The outcome of one benchmark. */
export interface IBenchResult {
  id: string;
  title: string;
  /** When it ran (ISO 8601, UTC). */
  ranAt: string;
  /** The 1-minute load average before and after it ran. */
  load: { before: number; after: number };
  targets: ITarget[];
  /** Tables and notes for RESULTS.md. */
  markdown: string;
  /** Every figure, for results.json. */
  data: Record<string, unknown>;
}

/** Settings every benchmark reads. */
export interface IBenchOptions {
  /** Small sizes and few runs: for checking that the suite works. */
  quick: boolean;
  /** Include the 1 GiB copy. */
  withOneGiB: boolean;
  /** Copy sizes in bytes, replacing the defaults (`--sizes=1M,100M,1G`). */
  sizes?: number[];
  /** Skip the chunk-size sweep (`--no-sweep`). */
  noSweep?: boolean;
  log: (message: string) => void;
}

/** A Markdown table. */
export function table(head: string[], rows: Array<Array<string | number>>) {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map(row => `| ${row.join(' | ')} |`)
  ].join('\n');
}

/** A number for tables: up to `digits` decimals, no trailing zeros. */
export function fmt(value: number, digits = 1): string {
  if (!Number.isFinite(value)) {
    return 'n/a';
  }
  return String(Number(value.toFixed(digits)));
}
