import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage, ROW_LAYOUT } from '../storage/index.js';
import type { FloatCompression, StorageEngine, TableDefinition, TableLayoutName } from '../storage/index.js';
import { IOT_DEVICES, IOT_POINTS, iotReadings } from './iot-data.js';
import { removeTempDir, trackTempDir } from './processes.js';
import { figure } from './report.js';
import type { Figure } from './report.js';
import { summarize } from './stats.js';

/** Rows per commit while loading (10 time steps of all devices, as a 1000-row INSERT would). */
const COMMIT_ROWS = 1_000;
/** InfluxDB 1.6 on the same readings after compaction (../shared/anchors/influxdb). */
const INFLUX_BYTES_PER_VALUE = 6.88;
const GROUP = 'iot-size';

/** `readings (device_id, ts ms, temp, humidity, PRIMARY KEY (device_id, ts))` in `layout`. */
export function readingsTable(layout: TableLayoutName): TableDefinition {
  return {
    name: 'readings',
    columns: [
      { name: 'device_id', type: 'STRING', notNull: true },
      { name: 'ts', type: 'INT', notNull: true },
      { name: 'temp', type: 'FLOAT', notNull: false },
      { name: 'humidity', type: 'FLOAT', notNull: false },
    ],
    primaryKey: ['device_id', 'ts'],
    ttlMs: null,
    layout,
  };
}

/** Loads the first `points` time steps of iot-1m into a new `readings` table in 1000-row commits; returns the rows. */
export async function loadReadings(engine: StorageEngine, layout: TableLayoutName, points: number): Promise<number> {
  let index = 0;
  let tx = await engine.begin();
  tx.createTable(readingsTable(layout));
  let inTransaction = 0;
  let rows = 0;
  // One insert time per commit, as a 1000-row INSERT statement gets the leader's clock once.
  let insertedAtMs = Date.now();
  for (const reading of iotReadings(points)) {
    const values = [reading.device, reading.tsMs, reading.temp, reading.humidity];
    await tx.insert('readings', values, insertedAtMs);
    rows++;
    if (++inTransaction >= COMMIT_ROWS) {
      await tx.commit(++index);
      tx = await engine.begin();
      insertedAtMs = Date.now();
      inTransaction = 0;
    }
  }
  await tx.commit(++index);
  return rows;
}

interface SizeResult {
  readonly rows: number;
  readonly bytesPerValue: number;
  readonly loadRowsPerSecond: number;
}

/** Load the readings into a fresh data dir with one layout, compact, and measure the dir. */
async function measure(layout: TableLayoutName, floats: FloatCompression, points: number): Promise<SizeResult> {
  const dir = await mkdtemp(join(tmpdir(), `chronos-bench-iot-${layout}-`));
  trackTempDir(dir);
  try {
    const engine = await openStorage({ dir, layout: { ...ROW_LAYOUT, floatCompression: floats } });
    const began = performance.now();
    const rows = await loadReadings(engine, layout, points);
    const seconds = (performance.now() - began) / 1000;
    await engine.compact();
    const reader = await engine.reader();
    let stored = 0;
    for await (const batch of reader.scan('readings')) stored += batch.length;
    await reader.close();
    if (stored !== rows) throw new Error(`iot-size: ${stored} rows stored, ${rows} loaded`);
    const bytes = await engine.sizeBytes();
    await engine.close();
    return { rows, bytesPerValue: bytes / (rows * 2), loadRowsPerSecond: rows / seconds };
  } finally {
    removeTempDir(dir);
  }
}

/** The stores iot-size measures: columnar blocks with each FLOAT compression, then per-row. */
const VARIANTS: readonly { readonly layout: TableLayoutName; readonly floats: FloatCompression; readonly label: string }[] = [
  { layout: 'columnar', floats: 'xor', label: 'columnar layout' },
  { layout: 'columnar', floats: 'chimp', label: 'columnar layout, Chimp on' },
  { layout: 'row', floats: 'xor', label: 'row layout' },
];

/**
 * Bytes per value on disk for iot-1m (or its first `fraction` of time steps): loaded through the
 * storage engine in 1000-row commits, compacted, then the LevelDB dir measured; both layouts,
 * columnar with and without Chimp.
 */
export async function runIotSizeSuite(fraction: number, log: (line: string) => void): Promise<Figure[]> {
  const points = Math.max(1, Math.round(IOT_POINTS * fraction));
  const figures: Figure[] = [];
  for (const { layout, floats, label } of VARIANTS) {
    log(`iot-size: loading ${points * IOT_DEVICES} readings, ${label}`);
    const result = await measure(layout, floats, points);
    const name = `${label}, ${result.rows} rows`;
    figures.push(
      figure(GROUP, `${name}: bytes/value after compaction`, 'B', summarize([result.bytesPerValue]), {
        op: '<',
        value: layout === 'columnar' ? 2 : INFLUX_BYTES_PER_VALUE,
      }),
      figure(GROUP, `${name}: load`, 'rows/s', summarize([result.loadRowsPerSecond])),
    );
  }
  return figures;
}
