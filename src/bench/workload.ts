/** Rows every benchmark writes: (id, ts, device, value), about 60 bytes of payload each. */
/**
 * 1000-row INSERT statements per trial, the same for ChronosDB and the sqlite3 peer: enough
 * (~0.2 s) that a trial is not one noisy moment of a shared machine.
 */
export const BATCH_INSERT_STATEMENTS = 50;

export const TABLE_COLUMNS = 'id INT PRIMARY KEY, ts INT, device STRING, value FLOAT';

/** First timestamp (unix seconds) of generated rows: one row per second from here. */
const TS_BASE = 1_700_000_000;

/** A padded device name so a row carries ~60 bytes, like the etcd comparison's values. */
export function deviceName(id: number): string {
  return `device-${String(id).padStart(10, '0')}-sensor-rack-a-building-north`;
}

/** The VALUES tuple of row `id`: the value always carries a decimal point so it is a FLOAT. */
export function rowTuple(id: number): string {
  const value = ((id % 1000) / 10 + 0.5).toFixed(3);
  return `(${id}, ${TS_BASE + id}, '${deviceName(id)}', ${value})`;
}

/** `INSERT INTO table VALUES` of `count` rows starting at id `first`. */
export function insertRows(table: string, first: number, count: number): string {
  const tuples: string[] = [];
  for (let id = first; id < first + count; id++) tuples.push(rowTuple(id));
  return `INSERT INTO ${table} (id, ts, device, value) VALUES ${tuples.join(', ')}`;
}
