import { join } from 'node:path';
import { assert } from '../lib/index.js';
import type { Clock, Logger } from '../lib/index.js';
import {
  IngestDrainer, IngestGateway, IngestJournal, READINGS_TABLE, cursorName, decodeCursor,
  readingsTableProblem,
} from '../ingest/index.js';
import type { DrainObserver, GatewayObserver, IngestLimits, JournalStats } from '../ingest/index.js';
import type { RaftNode } from './raft-node.js';

/** A node's ingest: the journal in DIR/ID/ingest, its drainer, and the HTTP-facing gateway. */
export interface RunningIngest {
  readonly gateway: IngestGateway;
  backlog(): JournalStats;
  /** Stops draining and closes the journal; what was not stored is drained at the next start. */
  stop(): Promise<void>;
}

/** Opens the journal and starts draining it through `node`'s log. */
export async function startIngest(node: RaftNode, nodeDir: string, options: {
  readonly limits: IngestLimits;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly observer: GatewayObserver & DrainObserver;
}): Promise<RunningIngest> {
  const log = options.logger.child('ingest');
  const journal = await IngestJournal.open(join(nodeDir, 'ingest'), log);
  // The cursor is per journal incarnation: a replaced disk starts a new journal at seq 1.
  const source = journal.id === null ? node.id : `${node.id}/${journal.id}`;
  const tableProblem = async (): Promise<string | null> => {
    const reader = await node.storage.reader();
    try {
      return readingsTableProblem(reader.catalog.table(READINGS_TABLE));
    } finally {
      await reader.close();
    }
  };
  const drainer = new IngestDrainer(journal, {
    apply: async (batch) => {
      const outcome = await node.submitCommand({ kind: 'ingestBatch', batch });
      assert(outcome.kind === 'ingest', `an ingest batch applied as ${outcome.kind}`);
      return outcome.applied;
    },
    cursor: async () => {
      // Our own applied state may lag the leader's; a cursor too low only means a resend
      // that the cursor check on apply skips.
      const reader = await node.storage.reader();
      try {
        return decodeCursor(await reader.getNamedValue(cursorName(source)));
      } finally {
        await reader.close();
      }
    },
  }, options.observer, { source, clock: options.clock, log });
  drainer.start();
  const gateway = new IngestGateway(journal, options.limits, tableProblem, options.observer, options.clock);
  log.info('ingest journal open', { ...journal.stats() });
  return {
    gateway,
    backlog: () => journal.stats(),
    async stop(): Promise<void> {
      await drainer.stop();
      await journal.close();
    },
  };
}
