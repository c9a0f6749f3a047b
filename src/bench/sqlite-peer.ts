import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { figure } from './report.js';
import type { Figure } from './report.js';
import { removeTempDir, trackTempDir } from './processes.js';
import { summarize } from './stats.js';
import { BATCH_INSERT_STATEMENTS, insertRows } from './workload.js';

const TRIALS = 3;
const SINGLE_STATEMENTS = 1_000;
const BATCH_ROWS = 1_000;
const GROUP = 'sqlite3 peer';

const SETUP = [
  'PRAGMA journal_mode=WAL;',
  'PRAGMA synchronous=FULL;',
  'CREATE TABLE t (id INTEGER PRIMARY KEY, ts INTEGER, device TEXT, value REAL);',
].join('\n');

/** Runs `sql` through the sqlite3 CLI against a fresh database file; returns wall ms. */
function runScript(dir: string, name: string, sql: string): number {
  const began = performance.now();
  execFileSync('sqlite3', ['-bail', join(dir, `${name}.db`)], {
    input: sql,
    stdio: ['pipe', 'ignore', 'pipe'],
    timeout: 120_000,
    maxBuffer: 1024 * 1024,
  });
  return performance.now() - began;
}

/**
 * Rows/s of a workload in sqlite3: each trial runs it on a fresh file, minus the time of the
 * same script with no INSERTs (process start, pragmas, CREATE TABLE).
 */
function measure(dir: string, label: string, statements: readonly string[], rows: number): number[] {
  const rates: number[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const baseline = runScript(dir, `${label}-base-${trial}`, SETUP);
    const total = runScript(dir, `${label}-${trial}`, `${SETUP}\n${statements.join(';\n')};\n`);
    rates.push((rows * 1000) / Math.max(total - baseline, 0.001));
  }
  return rates;
}

/** Rows the aggregate peer loads (the single suite's 1M-row table). */
const AGGREGATE_ROWS = 1_000_000;

/**
 * Milliseconds of the 1M-row per-minute average in sqlite3 (`ts - ts % 60` is time_bucket):
 * the rows are loaded once, then each trial is one sqlite3 run minus a run of `SELECT 1`.
 */
function measureAggregate(dir: string): number[] {
  const load = Array.from({ length: AGGREGATE_ROWS / BATCH_ROWS }, (_, i) => insertRows('t', i * BATCH_ROWS, BATCH_ROWS));
  runScript(dir, 'million', `${SETUP}\nBEGIN;\n${load.join(';\n')};\nCOMMIT;\n`);
  const times: number[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const baseline = runScript(dir, 'million', 'SELECT 1;\n');
    const total = runScript(dir, 'million', 'SELECT ts - ts % 60, avg(value) FROM t GROUP BY 1;\n');
    times.push(Math.max(total - baseline, 0.001));
  }
  return times;
}

function sqliteAvailable(): boolean {
  try {
    execFileSync('sqlite3', ['-version'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/** The sqlite3 CLI (WAL, synchronous=FULL, autocommit) on the single-node insert workloads. */
export async function runSqlitePeer(log: (line: string) => void): Promise<Figure[]> {
  if (!sqliteAvailable()) {
    log('sqlite3 CLI not found: peer figures skipped');
    return [];
  }
  const dir = mkdtempSync(join(tmpdir(), 'chronos-bench-sqlite-'));
  trackTempDir(dir);
  try {
    const singles = Array.from({ length: SINGLE_STATEMENTS }, (_, i) => insertRows('t', i, 1));
    const batches = Array.from({ length: BATCH_INSERT_STATEMENTS }, (_, i) => insertRows('t', i * BATCH_ROWS, BATCH_ROWS));
    return [
      figure(GROUP, 'single-row INSERT, 1 client', 'rows/s', summarize(measure(dir, 'single', singles, SINGLE_STATEMENTS))),
      figure(GROUP, '1000-row INSERT', 'rows/s', summarize(measure(dir, 'batch', batches, BATCH_INSERT_STATEMENTS * BATCH_ROWS))),
      figure(GROUP, "per-minute avg over 1M rows (time_bucket('1m') in sqlite3)", 'ms', summarize(measureAggregate(dir))),
    ];
  } finally {
    removeTempDir(dir);
  }
}
