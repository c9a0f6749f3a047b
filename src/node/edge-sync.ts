import { ChronosError, isChronosError } from '../lib/index.js';
import type { Clock, Logger } from '../lib/index.js';
import { decodeSyncOp, outboxStats, readOutbox } from '../sync/index.js';
import type { RaftNode } from './raft-node.js';
import { EdgeResend } from './edge-resend.js';
import { describeSyncFailure } from './sync-failure.js';

/** The edge's view of its sync target (HealthService.GetConnectivity reports it). */
export type ConnectivityState = 'Connected' | 'Disconnected' | 'Reconnecting';

/** What the sync worker reports (SyncStatusService.GetSyncStatus answers it). */
export interface SyncStatus {
  readonly lastSyncTsMs: number;
  readonly lastSyncApplied: number;
  readonly pendingOps: number;
  readonly lastError: string;
}

/**
 * The edge's link to one target node: api/grpc's SyncClient, handed in by the composition
 * root, since node/ knows no client surface.
 */
export interface SyncLink {
  readonly address: string;
  /** Ships ops as edge `edgeId`; resolves to the highest op id the target holds for it. */
  sync(edgeId: string, operations: readonly { readonly id: bigint; readonly data: Uint8Array }[]): Promise<bigint>;
  close(): void;
}

/** What an edge's outbox holds now (read at scrape time). */
export interface OutboxReport {
  readonly pendingOps: number;
  readonly bytes: number;
  /** HLC time of the oldest queued op; null when none. */
  readonly oldestOpMs: number | null;
}

/** The counters the sync worker feeds (api/sync-metrics.ts's EdgeSyncMetrics has them). */
export interface EdgeSyncCounters {
  readonly opsShipped: { inc(value?: number): void };
  readonly opsResent: { inc(value?: number): void };
  readonly batchesFailed: { inc(labels: { cause: string }): void };
  readonly writesRefused: { inc(): void };
}

/** How an edge reaches its target (`--sync-target` and friends). */
export interface EdgeSyncOptions {
  /** host:port of each target node (a cloud cluster: any member; Sync reaches its leader). */
  readonly targets: readonly string[];
  /** Whether the links dial with TLS (an https:// target); the start log says which. */
  readonly tls: boolean;
  readonly intervalMs: number;
  readonly batchSize: number;
  /** Outbox bytes past which writes are refused. */
  readonly maxQueueBytes: number;
  /** Opens the link to one target address. */
  readonly connect: (address: string) => SyncLink;
  readonly clock: Clock;
  readonly logger: Logger;
}

const RETRY_MS_MIN = 500;
/** A target that comes back is tried again within this. */
const RETRY_MS_MAX = 5_000;
/** Failures in a row after which the target counts as Disconnected rather than Reconnecting. */
const FAILURES_DISCONNECTED = 3;
/** A connected idle edge asks its target for its cursor this often (a wiped target is then rebuilt). */
const IDLE_PROBE_MS = 30_000;
/** Ops per resend batch at least: a resend carries every row, so --sync-batch-size's 100 is small. */
const RESEND_BATCH_MIN = 1_000;
/** A target cursor above every id this edge numbered is warned about at most this often. */
const CURSOR_AHEAD_WARN_MS = 600_000;

/**
 * The edge's sync worker: on the leader, ships the oldest queued ops in id order, and removes
 * them (through the log) only once the target's answer says it holds them; back-to-back while
 * a backlog remains, then every interval; after a failure it backs off (0.5 s doubling to 5 s)
 * and tries the next target address.
 */
export class EdgeSync {
  readonly #node: RaftNode;
  readonly #options: EdgeSyncOptions;
  readonly #clients: SyncLink[];
  readonly #log: Logger;
  #target = 0;
  #running = false;
  #loop: Promise<void> = Promise.resolve();
  #wake: (() => void) | null = null;
  #failures = 0;
  #everConnected = false;
  #lastSyncTsMs = 0;
  #lastSyncApplied = 0;
  #lastError = '';
  #metrics: EdgeSyncCounters | null = null;
  /** Ask the target's cursor before the next batch: after start, a failure, leadership or a rest. */
  #probeDue = true;
  #lastProbeMs = 0;
  /** The resend running, when the target lost acknowledged ops. */
  #resend: EdgeResend | null = null;
  /** The acknowledged id a target was last found short of with nothing to resend (warned once). */
  #nothingToResendFor = -1;
  #cursorAheadWarnedMs = -Infinity;

  constructor(node: RaftNode, options: EdgeSyncOptions) {
    this.#node = node;
    this.#options = options;
    this.#log = options.logger.child('sync');
    this.#clients = options.targets.map((address) => options.connect(address));
  }

  /** Starts shipping in the background. */
  start(): void {
    this.#running = true;
    this.#loop = this.#run();
    this.#log.info('edge sync started', { targets: this.#options.targets.join(','),
      transport: this.#options.tls ? 'tls' : 'plaintext', intervalMs: this.#options.intervalMs });
  }

  /** Stops after the batch in flight (what it shipped but did not acknowledge is sent again). */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    // A batch in flight to a target that stopped answering would hold the stop for its 30 s deadline.
    for (const client of this.#clients) client.close();
    await this.#loop;
    await this.#endResend();
  }

  /**
   * Refuses a write (NOT_APPLIED: nothing was proposed) while the outbox holds more than
   * `--sync-max-queue-mb`: queued ops are never dropped, so the edge stops taking new ones.
   */
  async refuseWhenFull(): Promise<void> {
    const { bytes } = await this.#outbox();
    if (bytes < this.#options.maxQueueBytes) return;
    this.#metrics?.writesRefused.inc();
    const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
    throw new ChronosError('RESOURCE_EXHAUSTED',
      `not applied: the sync outbox is full (${mb(bytes)} MB of ${mb(this.#options.maxQueueBytes)} MB, ` +
      `--sync-max-queue-mb): the sync target is not taking ops (${this.#lastError === '' ? 'see GetSyncStatus' : this.#lastError})`,
      { details: { outboxBytes: bytes } });
  }

  /** HealthService.GetConnectivity: the edge's view of its target. */
  connectivity(): ConnectivityState {
    if (this.#failures === 0 && this.#everConnected) return 'Connected';
    return this.#failures >= FAILURES_DISCONNECTED || !this.#everConnected ? 'Disconnected' : 'Reconnecting';
  }

  /** SyncStatusService.GetSyncStatus; pendingOps counts a running resend's ops still to ship. */
  async status(): Promise<SyncStatus> {
    const stats = await this.#outbox();
    return { lastSyncTsMs: this.#lastSyncTsMs, lastSyncApplied: this.#lastSyncApplied,
      pendingOps: stats.pendingOps + (this.#resend?.remaining ?? 0), lastError: this.#lastError };
  }

  /** Counts shipped ops and failed batches into `metrics` from now on. */
  reportTo(metrics: EdgeSyncCounters): void {
    this.#metrics = metrics;
  }

  /** The outbox as /metrics shows it: pending ops, bytes, the oldest op's HLC time. */
  async outboxReport(): Promise<OutboxReport> {
    const reader = await this.#node.storage.reader();
    try {
      const [stats, oldest] = await Promise.all([outboxStats(reader), readOutbox(reader, 1)]);
      const first = oldest[0];
      return { pendingOps: stats.pendingOps + (this.#resend?.remaining ?? 0), bytes: stats.bytes,
        oldestOpMs: first === undefined ? null : decodeSyncOp(first.data, `op ${first.id}`).hlc.physicalMs };
    } finally {
      await reader.close();
    }
  }

  async #outbox(): Promise<Awaited<ReturnType<typeof outboxStats>>> {
    const reader = await this.#node.storage.reader();
    try {
      return await outboxStats(reader);
    } finally {
      await reader.close();
    }
  }

  async #run(): Promise<void> {
    let retryMs = RETRY_MS_MIN;
    while (this.#running) {
      try {
        const shipped = await this.#shipOnce();
        retryMs = RETRY_MS_MIN;
        if (!shipped) {
          await this.#sleep(this.#options.intervalMs);
          this.#probeDue = true;
        }
      } catch (error) {
        if (!this.#running) return;
        this.#probeDue = true;
        const address = this.#clients[this.#target]?.address ?? '?';
        // A target that answered with a schema mismatch is reached: the error says what is wrong.
        if (isChronosError(error, 'SCHEMA_MISMATCH')) this.#reached();
        else this.#failures += 1;
        const pending = isChronosError(error, 'SCHEMA_MISMATCH')
          ? await this.#outbox().then((stats) => stats.pendingOps, () => null) : null;
        const failure = describeSyncFailure(error, address, pending, this.#options.clock.nowMs());
        this.#lastError = failure.text;
        this.#metrics?.batchesFailed.inc({ cause: failure.cause });
        this.#log.warn('sync failed; retrying', { error: this.#lastError, retryMs });
        this.#target = (this.#target + 1) % this.#clients.length;
        await this.#sleep(retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MS_MAX);
      }
    }
  }

  /** Ships one batch if this node leads and ops are queued; false when there was nothing to do. */
  async #shipOnce(): Promise<boolean> {
    if (this.#node.status().role !== 'Leader') {
      await this.#endResend();
      this.#probeDue = true;
      return false;
    }
    const reader = await this.#node.storage.reader();
    let entries;
    try {
      entries = await readOutbox(reader, this.#options.batchSize);
    } finally {
      await reader.close();
    }
    // Until the target answers, an idle edge asks at every retry, so GetConnectivity turns Connected
    // within the backoff of the target coming up; once connected, every 30 s is enough.
    const idleProbe = this.connectivity() !== 'Connected' || this.#options.clock.nowMs() - this.#lastProbeMs >= IDLE_PROBE_MS;
    if (this.#probeDue && (this.#resend !== null || entries.length > 0 || idleProbe)) await this.#probe();
    if (this.#resend !== null) return await this.#shipResend();
    const first = entries[0];
    const last = entries.at(-1);
    if (first === undefined || last === undefined) return false;
    const cursor = Number(await this.#client().sync(this.#node.id, entries.map((e) => ({ id: BigInt(e.id), data: e.data }))));
    if (cursor > last.id) this.#noteCursorAhead(cursor, (await this.#outbox()).lastNumberedId);
    const through = Math.min(cursor, last.id);
    this.#log.debug('batch shipped', { target: this.#client().address, ops: entries.length, firstId: first.id, cursor });
    if (through >= first.id) await this.#node.submitCommand({ kind: 'syncAck', throughId: through });
    const acknowledged = entries.filter((e) => e.id <= through);
    this.#metrics?.opsShipped.inc(acknowledged.length);
    // Row changes, as the guide counts them (its CREATE TABLE and two INSERTs report 2).
    this.#delivered(acknowledged.filter((e) => decodeSyncOp(e.data, `op ${e.id}`).kind !== 'ddl').length);
    return acknowledged.length > 0;
  }

  #client(): SyncLink {
    return this.#clients[this.#target] as SyncLink;
  }

  #delivered(rowChanges: number): void {
    this.#lastSyncTsMs = this.#options.clock.nowMs();
    this.#lastSyncApplied = rowChanges;
    this.#lastError = '';
    this.#reached();
  }

  /** The target answered: GetConnectivity says Connected (lastError still says what failed last). */
  #reached(): void {
    this.#failures = 0;
    this.#everConnected = true;
  }

  /**
   * Asks the target for its cursor (an empty batch). Below the id the outbox counts as
   * acknowledged, the target lost ops it had applied (wiped, or restored from an older
   * backup), and their rows are no longer in the outbox: a resend of every table starts.
   */
  async #probe(): Promise<void> {
    const client = this.#client();
    // Counted from the attempt: a connected idle edge whose target then goes down notices at the next 30 s.
    this.#lastProbeMs = this.#options.clock.nowMs();
    const cursor = Number(await client.sync(this.#node.id, []));
    this.#reached();
    this.#probeDue = false;
    if (this.#resend !== null) {
      if (this.#resend.heldThrough(cursor)) {
        this.#resend.acknowledge(cursor);
        return;
      }
      // The target lost part of the resend too (wiped again): start over from what it holds.
      await this.#endResend();
    }
    const reader = await this.#node.storage.reader();
    const stats = await outboxStats(reader).catch(async (error: unknown) => {
      await reader.close();
      throw error;
    });
    this.#noteCursorAhead(cursor, stats.lastNumberedId);
    if (!stats.everAcknowledged || cursor >= stats.ackedId || stats.ackedId === this.#nothingToResendFor) {
      await reader.close();
      return;
    }
    this.#resend = await EdgeResend.open(reader, this.#node.id, cursor, stats.ackedId);
    if (this.#resend === null) {
      this.#nothingToResendFor = stats.ackedId;
      this.#log.warn('sync target lost ops it had acknowledged; this edge holds no table to resend',
        { target: client.address, cursor, acknowledged: stats.ackedId });
      return;
    }
    this.#log.warn('sync target lost ops it had acknowledged (wiped or restored from an older backup): ' +
      'resending every table of this edge', { target: client.address, cursor, acknowledged: stats.ackedId });
  }

  /**
   * The target holds ops of this edge id above every id this edge numbered: another edge runs
   * with the same --id (each one's ops then pass the other's, which the target skips as held, so
   * they are lost), or this edge was restored from a backup (expected once: its new ids start
   * above the cursor). The two can't be told apart from here, so warn.
   */
  #noteCursorAhead(cursor: number, lastNumberedId: number): void {
    const nowMs = this.#options.clock.nowMs();
    // An outbox that never numbered an op (a new or wiped dir, as the guide's --clean makes) has nothing to lose.
    if (lastNumberedId === 0 || cursor <= lastNumberedId || nowMs - this.#cursorAheadWarnedMs < CURSOR_AHEAD_WARN_MS) return;
    this.#cursorAheadWarnedMs = nowMs;
    this.#log.warn(`the sync target holds ops of edge id ${this.#node.id} up to ${cursor}, above every op id this ` +
      `edge numbered (${lastNumberedId}): if another edge also runs with --id ${this.#node.id}, the target skips ` +
      'the ops of each that fall below the other\'s as already held, and they are lost; give each edge its own ' +
      '--id. (Once after this edge was restored from a backup, this is expected.)',
    { target: this.#client().address, cursor, lastNumberedId });
  }

  /** Ships the resend's next batch; ends the resend once the target holds all of it. */
  async #shipResend(): Promise<boolean> {
    const resend = this.#resend as EdgeResend;
    const batch = await resend.batch(Math.max(this.#options.batchSize, RESEND_BATCH_MIN));
    const cursor = Number(await this.#client().sync(this.#node.id, batch.map((op) => ({ id: BigInt(op.id), data: op.data }))));
    const before = resend.sent;
    resend.acknowledge(cursor);
    this.#metrics?.opsResent.inc(resend.sent - before);
    this.#delivered(resend.sent - before);
    if (resend.done) {
      this.#log.info('resend done: the target holds every table of this edge again', { ops: resend.sent });
      await this.#endResend();
    } else if (resend.sent === before) {
      // The target applied none of it and holds less than the batch's start: it lost ops again.
      await this.#endResend();
      this.#probeDue = true;
    }
    return true;
  }

  async #endResend(): Promise<void> {
    const resend = this.#resend;
    this.#resend = null;
    await resend?.close();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}
