import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StatementResult } from '../sql/index.js';
import type { StorageEngine } from '../storage/index.js';
import type { SqlTarget } from './sql-target.js';
import { systemClock, ChronosError, errorMessage, Logger, TextSink } from '../lib/index.js';
import { LocalExecutor, Session, classify } from '../sql/index.js';
import { isLockHeldError, openStorage } from '../storage/index.js';
import {
  classifyDir, foreignDirError, notADirError, writeDirMarker, BackgroundCompaction,
} from '../node/index.js';

/** Where a node keeps its applied state inside DIR/ID (src/node/raft-node.ts). */
const NODE_STATE_DIR = 'state';
/** How often an open single-node dir deletes expired rows (`--ttl-cleanup-interval-secs` default). */
const TTL_PASS_INTERVAL_MS = 3_600_000;

/**
 * The embedded engine as a SqlTarget. A single-node dir is read and written directly; a node's
 * dir (DIR/ID, holding `state/` and `wal/`) is opened read-only on its applied state, since a
 * write there would bypass the Raft log and make the node diverge from its cluster.
 */
export class LocalTarget implements SqlTarget {
  readonly #engine: StorageEngine;
  readonly #session: Session;
  readonly #nodeDir: string | null;
  #closed = false;

  readonly #executor: LocalExecutor;
  #ttlTimer: NodeJS.Timeout | null = null;
  #compaction: BackgroundCompaction | null = null;

  private constructor(engine: StorageEngine, nodeDir: string | null) {
    this.#engine = engine;
    this.#executor = new LocalExecutor(engine, systemClock);
    this.#session = new Session(this.#executor);
    this.#nodeDir = nodeDir;
  }

  /**
   * The single-node TTL pass: once when the dir opens, then hourly while it stays open (the
   * guide's default interval). A node's dir is read-only here; its cluster runs the pass.
   */
  async #startTtlPasses(): Promise<void> {
    if (this.#nodeDir !== null) return;
    this.#compaction = new BackgroundCompaction((maxBlocks) => this.#executor.compactStep(maxBlocks), new Logger({ sinks: [new TextSink(process.stderr)], level: 'warn', component: 'compaction' }));
    this.#compaction.start();
    await this.#executor.sweepExpired();
    this.#ttlTimer = setInterval(() => {
      this.#executor.sweepExpired().catch((error: unknown) => {
        process.stderr.write(`Error: TTL pass failed: ${errorMessage(error)}\n`);
      });
    }, TTL_PASS_INTERVAL_MS);
    this.#ttlTimer.unref();
  }

  /**
   * Opens `dataDir`: a new or empty dir becomes a single-node database, a single-node dir opens
   * read-write, a stopped node's dir read-only; anything else is refused before a byte is written.
   */
  static async open(dataDir: string): Promise<LocalTarget> {
    const nodeDir = prepareLocalDir(dataDir) === 'node' ? dataDir : null;
    const storageDir = nodeDir === null ? dataDir : join(dataDir, NODE_STATE_DIR);
    let engine: StorageEngine;
    try {
      engine = await openStorage({ dir: storageDir });
    } catch (error) {
      throw openFailure(dataDir, error);
    }
    const target = new LocalTarget(engine, nodeDir);
    try {
      await target.#startTtlPasses();
    } catch (error) {
      await target.close();
      throw error;
    }
    return target;
  }

  /** Runs one statement on the embedded engine (writes are fsynced before this resolves). */
  async execute(sql: string, signal?: AbortSignal): Promise<StatementResult> {
    if (this.#nodeDir !== null && classify(sql) !== 'read') {
      throw new ChronosError('PERMISSION_DENIED',
        `'${this.#nodeDir}' is a cluster node's data dir, opened read-only; ` +
        'send writes to the cluster with chronos client --leader HOST:PORT');
    }
    return this.#session.execute(sql, signal);
  }

  /** Closes the engine. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ttlTimer !== null) clearInterval(this.#ttlTimer);
    await this.#compaction?.stop();
    await this.#engine.close();
  }
}

/**
 * Checks what `-d` names and makes a new single-node dir (with its marker) when it is missing
 * or empty; a single-node dir made before markers gets one. Says which kind opens.
 */
function prepareLocalDir(dir: string): 'single-node' | 'node' {
  const shape = classifyDir(dir);
  switch (shape.kind) {
    case 'node':
      return 'node';
    case 'single-node':
      if (shape.marker === null) writeDirMarker(dir, SINGLE_NODE_MARKER);
      return 'single-node';
    case 'missing':
    case 'empty':
      try {
        mkdirSync(dir, { recursive: true });
      } catch (error) {
        throw new ChronosError('IO_ERROR', `cannot create data dir '${dir}': ${errorMessage(error)}`);
      }
      writeDirMarker(dir, SINGLE_NODE_MARKER);
      return 'single-node';
    case 'cluster':
      // `chronos node -d DIR` keeps nodes in DIR/ID: say which dir to give instead.
      throw new ChronosError('CONFIG_ERROR',
        `'${dir}' holds cluster nodes (${shape.nodes.join(', ')}); give one node's dir, e.g. ` +
        `${join(dir, shape.nodes[0] as string)}`);
    case 'not-a-dir':
      throw notADirError(dir, '-d');
    case 'foreign':
      throw foreignDirError(dir, shape.entries, '-d');
  }
}

const SINGLE_NODE_MARKER = { kind: 'single-node', nodeId: null, clusterId: null } as const;

/** A clear reason for a failed open: a held lock means another process has the dir open. */
function openFailure(dataDir: string, error: unknown): ChronosError {
  if (isLockHeldError(error)) {
    return new ChronosError('IO_ERROR',
      `data dir '${dataDir}' is in use by another process (a running node or session)`,
      { cause: error });
  }
  if (error instanceof ChronosError && error.code !== 'IO_ERROR') return error;
  const chain: string[] = [];
  let cause: unknown = error;
  for (let depth = 0; depth < 5 && cause instanceof Error; depth += 1) {
    chain.push(cause.message);
    cause = cause.cause;
  }
  return new ChronosError('IO_ERROR', `cannot open data dir '${dataDir}': ${chain.join(': ')}`,
    { cause: error });
}
