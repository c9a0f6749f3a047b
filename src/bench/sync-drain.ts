import { ChronosCluster } from './chronos-cluster.js';
import { waitUntil } from './ports.js';
import { figure } from './report.js';
import type { Figure } from './report.js';
import { summarize } from './stats.js';

const BACKLOG_ROWS = 100_000;
const ROWS_PER_STATEMENT = 1_000;
const SYNC_BATCH = 1_000;
const TABLE_DDL = 'CREATE TABLE readings (device_id STRING, ts INT, temp FLOAT, humidity FLOAT, PRIMARY KEY (device_id, ts))';
const DRAIN_TIMEOUT_MS = 600_000;

/** Ops still queued on the edge (its /metrics). */
async function pendingOps(edge: ChronosCluster): Promise<number> {
  const text = await (await fetch(`${edge.adminUrl(0)}/metrics`)).text();
  const match = /^chronos_sync_edge_pending_ops (\S+)$/m.exec(text);
  if (match === null) throw new Error('the edge reports no chronos_sync_edge_pending_ops');
  return Number(match[1]);
}

/** The iot-1m shape: 100 devices, one reading per device per 10 s step. */
function insertStatement(first: number): string {
  const values: string[] = [];
  for (let k = first; k < first + ROWS_PER_STATEMENT; k++) {
    const device = `esp-${String(k % 100).padStart(3, '0')}`;
    values.push(`('${device}', ${1_733_856_000 + Math.floor(k / 100) * 10}, ${(20 + (k % 7) / 4).toFixed(2)}, ${(50 + (k % 11) / 4).toFixed(2)})`);
  }
  return `INSERT INTO readings VALUES ${values.join(', ')}`;
}

/**
 * One run: a cloud of `size` nodes is stopped while an edge queues BACKLOG_ROWS rows (row
 * images, in 1000-row statements); then the cloud starts and the edge drains its outbox into it.
 */
async function drainOnce(size: number, log: (line: string) => void): Promise<{ total: number; draining: number }> {
  const cloud = await ChronosCluster.start({ size, setupSql: [] });
  let edge: ChronosCluster | null = null;
  try {
    const targets = Array.from({ length: size }, (_, i) => `http://${cloud.grpcAddress(i)}`).join(',');
    for (let i = 0; i < size; i++) await cloud.kill(i);
    edge = await ChronosCluster.start({ size: 1, setupSql: [TABLE_DDL],
      nodeArgs: ['--sync-target', targets, '--sync-batch-size', String(SYNC_BATCH), '--sync-interval-secs', '1'] });
    for (let first = 0; first < BACKLOG_ROWS; first += ROWS_PER_STATEMENT) await edge.execute(0, insertStatement(first));
    log(`sync: ${size}-node cloud, ${BACKLOG_ROWS} rows queued on the edge; starting the cloud`);
    const started = performance.now();
    for (let i = 0; i < size; i++) await cloud.restart(i);
    const edgeNow = edge;
    const queued = await pendingOps(edgeNow);
    let firstShipped: number | null = null;
    await waitUntil('the edge outbox to drain', DRAIN_TIMEOUT_MS, async () => {
      const pending = await pendingOps(edgeNow);
      if (firstShipped === null && pending < queued) firstShipped = performance.now();
      return pending === 0 ? true : null;
    }, 100);
    const ended = performance.now();
    const leader = await cloud.findLeader();
    const result = await cloud.execute(leader?.index ?? 0, 'SELECT COUNT(*) FROM readings');
    const stored = result.kind === 'rows' ? Number(result.rows[0]?.[0]) : -1;
    if (stored !== BACKLOG_ROWS) throw new Error(`the cloud holds ${stored} rows of ${BACKLOG_ROWS}`);
    return { total: (ended - started) / 1000, draining: (ended - (firstShipped ?? started)) / 1000 };
  } finally {
    await edge?.stop();
    await cloud.stop();
  }
}

/** `npm run bench -- sync`: an edge backlog drained into a one-node and a 3-node cloud. */
export async function runSyncSuite(log: (line: string) => void): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const size of [1, 3]) {
    const { total, draining } = await drainOnce(size, log);
    const group = `sync into ${size}-node cloud`;
    figures.push(figure(group, `${BACKLOG_ROWS.toLocaleString('en-US')} queued rows: cloud start to drained (batch ${SYNC_BATCH})`, 's', summarize([total])));
    figures.push(figure(group, 'rows/s from the first acknowledged batch', 'rows/s', summarize([BACKLOG_ROWS / draining])));
  }
  return figures;
}
