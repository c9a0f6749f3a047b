import { join } from 'node:path';
import type { StatementResult } from '../sql/index.js';
import type { StorageEngine } from '../storage/index.js';
import type { SqlTarget } from './sql-target.js';
import { systemClock, ChronosError, errorMessage, Logger, makeDirectories, TextSink } from '../lib/index.js';
import { Session, UNLIMITED, classify, executeRead } from '../sql/index.js';
import { isLockHeldError, openStorage } from '../storage/index.js';
import { classifyDir, foreignDirError, notADirError, writeDirMarker, LocalNode } from '../node/index.js';
import { envBoolean } from './env-values.js';

/** Where a node keeps its applied state inside DIR/ID (src/node/restore.ts). */
const NODE_STATE_DIR = 'state';

/**
 * The embedded engine as a SqlTarget. A single-node dir runs the node driver as a one-voter
 * cluster (node/local-node.ts): writes go through its log like a cluster's. A node's dir
 * (DIR/ID, holding `state/` and `wal/`) is opened read-only on its applied state, since a
 * write there would bypass the Raft log and make the node diverge from its cluster.
 */
export class LocalTarget implements SqlTarget {
  readonly #close: () => Promise<void>;
  readonly #execute: (sql: string, signal?: AbortSignal) => Promise<StatementResult>;
  #closed = false;

  private constructor(execute: LocalTarget['execute'], close: () => Promise<void>) {
    this.#execute = execute;
    this.#close = close;
  }

  /**
   * Opens `dataDir`: a new or empty dir becomes a single-node database, a single-node dir opens
   * read-write, a stopped node's dir read-only; anything else is refused before a byte is written.
   */
  static async open(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<LocalTarget> {
    // Checked before the dir is touched: a bad value is a usage error, as on `chronos node`.
    const floatCompression = envBoolean(env, 'CHRONOS_CHIMP_ENABLE', false) ? 'chimp' : 'xor';
    if (prepareLocalDir(dataDir) === 'node') return LocalTarget.#openNodeDir(dataDir);
    let local: LocalNode;
    try {
      local = await LocalNode.open(dataDir, { clock: systemClock, logger: localLogger(), floatCompression });
    } catch (error) {
      throw openFailure(dataDir, error);
    }
    const session = new Session(local);
    return new LocalTarget((sql, signal) => session.execute(sql, signal), () => local.close());
  }

  static async #openNodeDir(nodeDir: string): Promise<LocalTarget> {
    let engine: StorageEngine;
    try {
      engine = await openStorage({ dir: join(nodeDir, NODE_STATE_DIR) });
    } catch (error) {
      throw openFailure(nodeDir, error);
    }
    const execute = async (sql: string, signal?: AbortSignal): Promise<StatementResult> => {
      if (classify(sql) !== 'read') {
        throw new ChronosError('PERMISSION_DENIED',
          `'${nodeDir}' is a cluster node's data dir, opened read-only; ` +
          'send writes to the cluster with chronos client --leader HOST:PORT');
      }
      const reader = await engine.reader();
      try {
        return await executeRead(sql, reader, systemClock.nowMs(), { ...UNLIMITED, signal });
      } finally {
        await reader.close();
      }
    };
    return new LocalTarget(execute, () => engine.close());
  }

  /** Runs one statement (a write is durable before this resolves). */
  execute(sql: string, signal?: AbortSignal): Promise<StatementResult> {
    return this.#execute(sql, signal);
  }

  /** Closes the dir (a single-node dir applies what it acknowledged first). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#close();
  }
}

/** Warnings and errors of the local node (a TTL pass or compaction that failed) on stderr. */
function localLogger(): Logger {
  return new Logger({ sinks: [new TextSink(process.stderr)], level: 'warn', component: 'chronos' });
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
        makeDirectories(dir);
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
