import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, systemClock } from '../lib/index.js';
import { Session } from '../sql/index.js';
import { LocalNode } from '../node/index.js';
import type { StatementResult } from '../sql/index.js';
import { openStorage } from '../storage/index.js';
import { ChronosCluster } from './chronos-cluster.js';
import { IOT_DEVICES, IOT_POINTS, iotReadings } from './iot-data.js';
import type { IotReading } from './iot-data.js';
import { loadReadings } from './iot-size.js';
import { removeTempDir, trackTempDir } from './processes.js';
import { timeQueryPhases } from './query-phases.js';
import type { QueryPhases } from './query-phases.js';

const START_S = 1_733_856_000;
const STEP_S = 10;
const END_S = START_S + IOT_POINTS * STEP_S;

/** The anchor's four queries, in our SQL and in InfluxQL, and how many rows each answers. */
export const IOT_QUERIES = [
  { name: 'q1 per-minute avg of one device',
    sql: `SELECT time_bucket('1m', ts / 1000), avg(temp) FROM readings WHERE device_id = 'esp-042' AND ts >= ${START_S * 1000} AND ts < ${END_S * 1000} GROUP BY 1`,
    influxql: `SELECT mean("temp") FROM readings WHERE device_id='esp-042' AND time >= ${START_S}s AND time < ${END_S}s GROUP BY time(1m)`,
    rows: (n: number): boolean => n === Math.ceil((END_S - START_S) / 60) || n === Math.ceil((END_S - START_S) / 60) + 1 },
  { name: 'q2 avg per device',
    sql: 'SELECT device_id, avg(temp) FROM readings GROUP BY device_id',
    influxql: 'SELECT mean("temp") FROM readings GROUP BY device_id',
    rows: (n: number): boolean => n === IOT_DEVICES },
  { name: 'q3 last 100 of one device, newest first',
    sql: "SELECT * FROM readings WHERE device_id = 'esp-042' ORDER BY ts DESC LIMIT 100",
    influxql: `SELECT * FROM readings WHERE device_id='esp-042' ORDER BY time DESC LIMIT 100`,
    rows: (n: number): boolean => n === 100 },
  { name: 'q4 count of all',
    sql: 'SELECT count(temp) FROM readings',
    influxql: 'SELECT count("temp") FROM readings',
    rows: (n: number): boolean => n === 1 },
] as const;

function rowCount(result: StatementResult): number {
  return result.kind === 'rows' ? result.rows.length : -1;
}

/** Times q1-q4 in both phases through `run`. */
async function timeQueries(run: (sql: string) => Promise<StatementResult>, log: (line: string) => void,
  where: string): Promise<QueryPhases> {
  const queries = IOT_QUERIES.map((q) => ({ name: q.name, text: q.sql, rows: q.rows }));
  return timeQueryPhases(async (sql) => rowCount(await run(sql)), queries, where, log);
}

/** `INSERT INTO readings VALUES ...` of `count` readings from `first` (ts in ms, as loadReadings stores it). */
function readingsInsert(data: readonly IotReading[], first: number, count: number): string {
  const tuples: string[] = [];
  for (const r of data.slice(first, first + count)) tuples.push(`('${r.device}', ${r.tsMs}, ${r.temp.toFixed(2)}, ${r.humidity.toFixed(2)})`);
  return `INSERT INTO readings VALUES ${tuples.join(', ')}`;
}

const COMPACTED_METRIC = 'chronos_storage_blocks_compacted_total';
const SETTLED_METRIC = 'chronos_storage_compaction_settled';
const SWEEP_RUNNING_METRIC = 'chronos_storage_tombstone_sweep_running';
const COMPACTION_WAIT_MS = 300_000;

/**
 * Waits until every node's background compaction has settled (its last pass merged nothing and
 * nothing was written since) and no tombstone sweep runs, in two polls half a second apart: the
 * one-node figures are taken after a full compaction, so the nodes are queried in the same state.
 */
async function awaitCompaction(cluster: ChronosCluster, log: (line: string) => void): Promise<void> {
  const nodes = Array.from({ length: cluster.size }, (_, i) => i);
  const began = performance.now();
  let quiet = 0;
  while (quiet < 2) {
    if (performance.now() - began > COMPACTION_WAIT_MS) {
      log(`iot: compaction still merging after ${COMPACTION_WAIT_MS / 1000} s; querying anyway`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const settled = await Promise.all(nodes.map((i) => cluster.metric(i, SETTLED_METRIC)));
    const sweeping = await Promise.all(nodes.map((i) => cluster.metric(i, SWEEP_RUNNING_METRIC)));
    quiet = settled.every((s) => s === 1) && sweeping.every((running) => running === 0) ? quiet + 1 : 0;
  }
  const merged = (await Promise.all(nodes.map((i) => cluster.metric(i, COMPACTED_METRIC)))).reduce((a, b) => a + b, 0);
  log(`iot: ${cluster.size} node(s) compacted (${merged} blocks merged) in ${((performance.now() - began) / 1000).toFixed(1)} s`);
}

/**
 * The same load (1000-row INSERTs through the leader) and q1-q4 on a cluster of `size` real
 * node processes over gRPC, once background compaction is done; each read is linearizable
 * (ReadIndex through the leader).
 */
export async function clusterIotQueries(size: number, log: (line: string) => void): Promise<QueryPhases> {
  const cluster = await ChronosCluster.start({ size, nodeArgs: [], env: {}, setupSql: [
    "CREATE TABLE readings (device_id STRING NOT NULL, ts INT NOT NULL, temp FLOAT, humidity FLOAT, PRIMARY KEY (device_id, ts)) WITH (layout = 'columnar')",
  ] });
  try {
    const leader = await cluster.findLeader();
    const index = leader?.index ?? 0;
    const data = [...iotReadings(IOT_POINTS)];
    log(`iot: loading ${data.length} readings into ${size} node process(es)`);
    for (let first = 0; first < data.length; first += 1_000) await cluster.execute(index, readingsInsert(data, first, 1_000));
    await awaitCompaction(cluster, log);
    return await timeQueries((sql) => cluster.execute(index, sql), log, `${size} node(s), gRPC`);
  } finally {
    await cluster.stop();
  }
}

/** The embedded engine's figures: q1-q4 times and bytes per value on disk after compaction. */
export interface EmbeddedIotResult {
  readonly times: QueryPhases;
  readonly bytesPerValue: number;
}

/**
 * Loads iot-1m into a columnar `readings` table of an embedded engine, compacts it, measures its
 * LevelDB dir and times q1-q4 through SQL sessions; every answer's row count is checked, and q4's count.
 */
export async function chronosIotQueries(log: (line: string) => void): Promise<EmbeddedIotResult> {
  const dir = await mkdtemp(join(tmpdir(), 'chronos-bench-iotq-'));
  trackTempDir(dir);
  const engine = await openStorage({ dir });
  try {
    log(`iot: loading ${IOT_DEVICES * IOT_POINTS} readings into a columnar table`);
    const rows = await loadReadings(engine, 'columnar', IOT_POINTS);
    await engine.compact();
    // Two values (temp, humidity) per reading, as InfluxDB counts fields.
    const bytesPerValue = (await engine.sizeBytes()) / (rows * 2);
    await engine.close();
    // Queried as a single-node dir: its node adopts the loaded state.
    const local = await LocalNode.open(dir, { clock: systemClock, logger: silentLogger });
    try {
      const session = new Session(local);
      const count = await session.execute('SELECT count(temp) FROM readings');
      if (count.kind !== 'rows' || Number(count.rows[0]?.[0]) !== rows) throw new Error(`iot: count(temp) is not ${rows}`);
      return { times: await timeQueries((sql) => session.execute(sql), log, '1 node, embedded'), bytesPerValue };
    } finally {
      await local.close();
    }
  } finally {
    await engine.close();
    removeTempDir(dir);
  }
}
