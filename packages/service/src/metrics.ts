/**
 * Prometheus metrics of the service, served at `<prefix>metrics`.
 */
import {
  Counter,
  Histogram,
  Registry,
  collectDefaultMetrics
} from 'prom-client';

/** The service's metrics, in a registry of their own. */
export class Metrics {
  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'share_link_' });
  }

  /** The registry to serve. */
  readonly registry = new Registry();

  /** Links minted. */
  readonly linksMinted = new Counter({
    name: 'share_link_links_minted_total',
    help: 'Share links created',
    registers: [this.registry]
  });

  /** Links opened, by outcome (`copied`, or the failure's code). */
  readonly opens = new Counter({
    name: 'share_link_opens_total',
    help: 'Share links opened (confirmed), by outcome',
    labelNames: ['outcome'],
    registers: [this.registry]
  });

  /** Copies finished, by outcome. */
  readonly copies = new Counter({
    name: 'share_link_copies_total',
    help: 'File copies between servers, by outcome',
    labelNames: ['outcome'],
    registers: [this.registry]
  });

  /** Bytes copied into recipients' servers. */
  readonly bytesCopied = new Counter({
    name: 'share_link_bytes_copied_total',
    help: "Bytes written into recipients' servers",
    registers: [this.registry]
  });

  /** Failures, by kind (the error's code). */
  readonly failures = new Counter({
    name: 'share_link_failures_total',
    help: 'Requests that ended in an error, by code',
    labelNames: ['code'],
    registers: [this.registry]
  });

  /** How long recipients waited for a server to start. */
  readonly spawnWait = new Histogram({
    name: 'share_link_spawn_wait_seconds',
    help: "Time from asking the Hub to start a recipient's server to ready",
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300],
    registers: [this.registry]
  });
}
