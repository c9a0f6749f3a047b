import type { Clock, Logger } from '../lib/index.js';
import { UNLIMITED, dryRun } from '../sql/index.js';
import type { StatementExecutor } from '../sql/index.js';
import type { StatementResult } from '../sql/index.js';
import { INDEX_BUILD_ROWS_PER_PASS, anyIndexBuilding } from '../storage/index.js';
import type { CompactionStepOutcome, FloatCompression, StorageEngine } from '../storage/index.js';
import type { CallContext } from '../transport/index.js';
import type { DiskStats } from '../wal/index.js';
import type { NodeEnvironment } from './node-environment.js';
import { NO_INDEX_BUILDING } from './apply.js';
import { RaftNode } from './raft-node.js';
import { TTL_PASS_ROWS_MAX } from './ttl-passes.js';

/** The id of a single-node dir's one voter (nobody dials it: it has no network). */
const LOCAL_NODE_ID = 'local';
/** The local user's calls, as the node's audit of writes sees them. */
const LOCAL_CALLER: CallContext = { token: null, user: null, peer: 'local' };
/** How often a single-node dir deletes expired rows while open (`--ttl-cleanup-interval-secs` default). */
const TTL_PASS_INTERVAL_MS = 3_600_000;

/** How a single-node dir's node runs. */
export interface LocalNodeOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Compact the log after this many applied entries. */
  readonly snapshotEveryEntries?: number;
  /** Run a TTL pass as the dir opens (as `client -d` and `single-node` do); default true. */
  readonly sweepAtOpen?: boolean;
  /** The process's own disk, storage and timers unless a test gives others. */
  readonly environment?: NodeEnvironment;
  /** How new blocks store FLOAT columns ('chimp' with CHRONOS_CHIMP_ENABLE); 'xor' unless set. */
  readonly floatCompression?: FloatCompression;
}

/**
 * A single-node database: the same driver as `chronos node`, as a one-voter cluster with no
 * network. A statement is durable once its log entry is fsynced (one fsync per group of
 * concurrent statements); apply writes it to storage. Reads see everything acknowledged.
 */
export class LocalNode implements StatementExecutor {
  readonly #node: RaftNode;
  readonly #clock: Clock;

  private constructor(node: RaftNode, clock: Clock) {
    this.#node = node;
    this.#clock = clock;
  }

  /** Opens (or creates) the single-node database in `dataDir` and runs a TTL pass. */
  static async open(dataDir: string, options: LocalNodeOptions): Promise<LocalNode> {
    const node = await RaftNode.open({
      id: LOCAL_NODE_ID, nodeDir: dataDir, layout: 'single-node', peers: new Map(), address: LOCAL_NODE_ID,
      tickMs: 100, snapshotEveryEntries: options.snapshotEveryEntries ?? 10_000,
      // A single node has no quorum to lose: a statement waits for its own disk only.
      writeTimeoutMs: 3_600_000, readTimeoutMs: 60_000, statementLimits: UNLIMITED,
      tls: null, peerToken: null, clock: options.clock, logger: options.logger,
      ttlCleanupIntervalMs: TTL_PASS_INTERVAL_MS,
      ...(options.environment === undefined ? {} : { environment: options.environment }),
      ...(options.floatCompression === undefined ? {} : { floatCompression: options.floatCompression }),
    }, false);
    const local = new LocalNode(node, options.clock);
    if (options.sweepAtOpen === false) return local;
    try {
      await local.sweepExpired();
      if (anyIndexBuilding(node.storage.catalog.tables())) await local.finishIndexBuilds();
    } catch (error) {
      await node.stop();
      throw error;
    }
    return local;
  }

  /** The node's storage (reads of tools, backups, tests). */
  get storage(): StorageEngine {
    return this.#node.storage;
  }

  /** Runs a SELECT on everything acknowledged; an aborted `signal` (Ctrl-C) stops it. */
  read(sql: string, signal?: AbortSignal): Promise<StatementResult> {
    return this.#node.execute(sql, signal === undefined ? LOCAL_CALLER : { ...LOCAL_CALLER, signal });
  }

  /**
   * Applies the statements as one atomic command through the log; resolves once durable. An
   * index they create is built to the end first: nobody else waits on a single node's writes.
   */
  async write(statements: readonly string[]): Promise<StatementResult[]> {
    const results = await this.#node.write(statements, LOCAL_CALLER);
    if (!results.some((result) => result.kind === 'message' && result.messageWhenBuilt !== undefined)) return [...results];
    await this.finishIndexBuilds();
    return results.map((result) => {
      if (result.kind !== 'message' || result.messageWhenBuilt === undefined) return result;
      const { messageWhenBuilt, ...built } = result;
      return { ...built, message: messageWhenBuilt };
    });
  }

  /**
   * Runs index-build passes through the log until one finds no index building (one a crash
   * interrupted, too). The outcomes decide, not the catalog: a write is answered before it is stored.
   */
  async finishIndexBuilds(): Promise<void> {
    for (;;) {
      const outcome = await this.#node.submitCommand({ kind: 'indexBuild', rowsMax: INDEX_BUILD_ROWS_PER_PASS });
      const first = outcome.kind === 'statements' ? outcome.results[0] : undefined;
      if (first?.kind !== 'message' || first.message === NO_INDEX_BUILDING) return;
    }
  }

  /** Runs statements in a throwaway transaction (a session's BEGIN ... before COMMIT). */
  dryRun(statements: readonly string[], readSql?: string): Promise<StatementResult> {
    return dryRun(this.#node.storage, statements, this.#clock.nowMs(), readSql);
  }

  /** Deletes expired rows of every TTL table now, through the log, in bounded passes; resolves to how many. */
  async sweepExpired(): Promise<number> {
    let total = 0;
    for (;;) {
      const outcome = await this.#node.submitCommand({ kind: 'ttlSweep', nowMs: this.#clock.nowMs(), rowsMax: TTL_PASS_ROWS_MAX });
      const first = outcome.kind === 'statements' ? outcome.results[0] : undefined;
      const deleted = first?.kind === 'message' ? first.rowsAffected : 0;
      total += deleted;
      if (deleted < TTL_PASS_ROWS_MAX) return total;
    }
  }

  /** Appends and fsyncs of the log since open (group commit shows here). */
  get walStats(): Readonly<DiskStats> {
    return this.#node.walStats;
  }

  /** One compaction step now, between applies (the node also runs them in the background). */
  compactStep(maxBlocks: number): Promise<CompactionStepOutcome> {
    return this.#node.compactStep(maxBlocks);
  }

  /** Column blocks background compaction merged away since open. */
  get blocksCompacted(): number {
    return this.#node.blocksCompacted;
  }

  /** Applies what is committed, syncs the log and closes the dir. */
  close(): Promise<void> {
    return this.#node.stop();
  }
}
