import { join } from 'node:path';
import { assert } from '../lib/index.js';
import type { Clock, Logger } from '../lib/index.js';
import {
  DRAIN_BATCHES_IN_FLIGHT, IngestDrainer, IngestGateway, IngestJournal, PointGateway, POINTS_CODEC, POINTS_DRAIN_PLAN, READINGS_CODEC,
  READINGS_DRAIN_PLAN, READINGS_TABLE, cursorName, decodeCursor, pointCursorName, readingsTableProblem,
} from '../ingest/index.js';
import type {
  DrainObserver, DrainPlan, GatewayObserver, JournalBatch, IngestApplied, IngestBatch, IngestLimits, JournalCodec, JournalStats,
  PointBatch, PointsApplied,
} from '../ingest/index.js';
import type { Catalog } from '../storage/index.js';
import type { RaftNode } from './raft-node.js';
import type { ReplicatedCommand } from './replicated-command.js';

/** A node's ingest: `/ingest` readings and `/write` points, each a journal, a drainer and a gateway. */
export interface RunningIngest {
  readonly gateway: IngestGateway;
  readonly points: PointGateway;
  backlog(): JournalStats;
  pointBacklog(): JournalStats;
  /** Stops draining and closes the journals; what was not stored is drained at the next start. */
  stop(): Promise<void>;
}

/** What ingest reports: requests accepted and refused, batches drained. */
export interface IngestObservers {
  readonly readings: GatewayObserver & DrainObserver<IngestBatch, IngestApplied>;
  readonly points: GatewayObserver & DrainObserver<PointBatch, PointsApplied>;
}

interface Drained<T> {
  readonly journal: IngestJournal<T>;
  stop(): Promise<void>;
}

/** Opens both journals (DIR/ID/ingest and DIR/ID/write) and starts draining them through `node`'s log. */
export async function startIngest(node: RaftNode, nodeDir: string, options: {
  readonly limits: IngestLimits;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly observers: IngestObservers;
}): Promise<RunningIngest> {
  const log = options.logger.child('ingest');
  const withCatalog = async <T>(use: (catalog: Catalog) => T): Promise<T> => {
    const reader = await node.storage.reader();
    try {
      return use(reader.catalog);
    } finally {
      await reader.close();
    }
  };
  const readings = await startDrain(node, join(nodeDir, 'ingest'), READINGS_CODEC, READINGS_DRAIN_PLAN, {
    cursorName, observer: options.observers.readings, clock: options.clock, log,
    submit: async (batch) => {
      const outcome = await node.submitCommand({ kind: 'ingestBatch', batch });
      assert(outcome.kind === 'ingest', `an ingest batch applied as ${outcome.kind}`);
      return outcome.applied;
    },
  });
  const points = await startDrain(node, join(nodeDir, 'write'), POINTS_CODEC, POINTS_DRAIN_PLAN, {
    cursorName: pointCursorName, observer: options.observers.points, clock: options.clock, log: log.child('write'),
    submit: async (batch) => {
      const outcome = await node.submitCommand({ kind: 'pointBatch', batch } satisfies ReplicatedCommand);
      assert(outcome.kind === 'points', `a point batch applied as ${outcome.kind}`);
      return outcome.applied;
    },
  });
  const tableProblem = (): Promise<string | null> =>
    withCatalog((catalog) => readingsTableProblem(catalog.table(READINGS_TABLE)));
  return {
    gateway: new IngestGateway(readings.journal, options.limits, tableProblem, options.observers.readings, options.clock),
    points: new PointGateway(points.journal, options.limits, withCatalog,
      options.observers.points, options.clock),
    backlog: () => readings.journal.stats(),
    pointBacklog: () => points.journal.stats(),
    async stop(): Promise<void> {
      await Promise.all([readings.stop(), points.stop()]);
    },
  };
}

/** Opens a journal in `dir` and drains it, as `source` = node id / journal incarnation, through `submit`. */
async function startDrain<T, B extends JournalBatch, A>(node: RaftNode, dir: string,
  codec: JournalCodec<T>, plan: DrainPlan<T, B, A>, options: {
    readonly cursorName: (source: string) => string;
    readonly submit: (batch: B) => Promise<A>;
    readonly observer: DrainObserver<B, A>;
    readonly clock: Clock;
    readonly log: Logger;
  }): Promise<Drained<T>> {
  const journal = await IngestJournal.open(dir, codec, options.log);
  // The cursor is per journal incarnation: a replaced disk starts a new journal at seq 1.
  const source = journal.id === null ? node.id : `${node.id}/${journal.id}`;
  const drainer = new IngestDrainer(journal, plan, {
    apply: options.submit,
    batchesInFlight: () => (node.status().role === 'Leader' ? DRAIN_BATCHES_IN_FLIGHT : 1),
    cursor: async () => {
      // Our own applied state may lag the leader's; a cursor too low only means a resend
      // that the cursor check on apply skips.
      const reader = await node.storage.reader();
      try {
        return decodeCursor(await reader.getNamedValue(options.cursorName(source)));
      } finally {
        await reader.close();
      }
    },
  }, options.observer, { source, clock: options.clock, log: options.log });
  drainer.start();
  options.log.info('journal open', { dir, ...journal.stats() });
  return {
    journal,
    async stop(): Promise<void> {
      await drainer.stop();
      await journal.close();
    },
  };
}
