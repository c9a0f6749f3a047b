import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isChronosError, Random } from '../../src/lib/index.js';
import { splitStatements } from '../../src/sql/index.js';
import type { Session, StatementResult } from '../../src/sql/index.js';
import type { LayoutOptions } from '../../src/storage/index.js';
import { WriteScript } from './sqlite-writes.js';
import { newSession, rowsOf } from './support.js';

// CHRONOS_SQLITE_WRITES / CHRONOS_SQLITE_SEED run more (or other) scripts.
const SCRIPTS = Number(process.env['CHRONOS_SQLITE_WRITES'] ?? 10);
const STEPS = 60;
const SEED = Number(process.env['CHRONOS_SQLITE_SEED'] ?? 424242);
/** A run of many scripts gets the time it needs (60 took ~36 s here). */
const TIMEOUT_MS = Math.max(60_000, SCRIPTS * 5_000);
const hasSqlite = spawnSync('sqlite3', ['-version']).status === 0;

/** sqlite3 prints this line between two answers, so one process runs a whole script. */
const MARKER = "'~~'";

/** A value of sqlite3's `-quote` output (the generated strings hold no quote or comma). */
function sqliteValue(text: string): unknown {
  if (text === 'NULL') return null;
  if (text.startsWith("'")) return text.slice(1, -1);
  return Number(text);
}

/** Rows as sorted JSON lines: tables are compared as multisets. */
function canonical(rows: readonly (readonly unknown[])[]): string[] {
  return rows.map((r) => JSON.stringify(r.map((v) => (typeof v === 'bigint' ? Number(v) : v)))).sort();
}

/** Runs the statements, each followed by its checks, in an in-memory sqlite3; the checks' answers. */
function sqliteRun(setup: readonly string[], steps: readonly { sql: string; checks: readonly string[] }[]): unknown[][][] {
  const text = [
    ...setup.map((s) => `${s};`),
    ...steps.flatMap((step) => [`${step.sql};`, ...step.checks.map((q) => `${q};\nSELECT ${MARKER};`)]),
  ].join('\n').replace(/\bSTRING\b/g, 'TEXT');
  const out = execFileSync('sqlite3', ['-bail', '-quote', ':memory:'], { input: text, maxBuffer: 1 << 28 }).toString();
  const answers: unknown[][][] = [[]];
  for (const line of out.split('\n')) {
    if (line === MARKER) answers.push([]);
    else if (line !== '') (answers.at(-1) as unknown[][]).push(line.split(',').map(sqliteValue));
  }
  return answers.slice(0, -1);
}

/** A plain INSERT of keys the table holds: DUPLICATE_KEY, or nothing inserted when the table was empty. */
async function expectRefusedOrEmpty(session: Session, sql: string, context: string): Promise<void> {
  let result: StatementResult;
  try {
    result = await session.execute(sql);
  } catch (error) {
    expect(isChronosError(error) ? error.code : String(error), `${context}: ${sql}`).toBe('DUPLICATE_KEY');
    return;
  }
  expect(result.kind === 'message' ? result.rowsAffected : -1, `${context}: ${sql} was not refused`).toBe(0);
}

/** Small blocks and head: a few rows fill a block, so writes land in blocks and in the head. */
const SMALL_BLOCKS: LayoutOptions = { blockRows: 4, headEntriesMax: 6, newTables: 'row' };

/** Runs `scripts` random scripts on our engine and on sqlite3, comparing every table after every statement. */
async function compareScripts(scripts: number, seed: number, layout: 'row' | 'columnar'): Promise<void> {
  for (let s = 0; s < scripts; s++) {
    const script = new WriteScript(new Random(seed + s));
    const setup = script.setup();
    const steps = Array.from({ length: STEPS }, () => ({ sql: script.next(), checks: script.snapshots() }));
    // sqlite3 stops at an error: it is not given the inserts ChronosDB must refuse.
    const withoutRefused = (sql: string): string =>
      splitStatements(`${sql};`).statements.filter((statement) => !script.duplicates.has(statement)).join('; ');
    const expected = sqliteRun(setup, steps.map((step) => ({ ...step, sql: withoutRefused(step.sql) })));
    const { session } = await newSession(undefined, layout === 'columnar' ? SMALL_BLOCKS : undefined);
    for (const sql of setup) {
      await session.execute(layout === 'columnar' && sql.startsWith('CREATE TABLE') ? `${sql} WITH (layout = 'columnar')` : sql);
    }
    let answer = 0;
    for (const step of steps) {
      // A step may be a whole BEGIN ... COMMIT.
      for (const sql of splitStatements(`${step.sql};`).statements) {
        if (script.duplicates.has(sql)) await expectRefusedOrEmpty(session, sql, `script ${s} (${layout})`);
        else await session.execute(sql);
      }
      for (const check of step.checks) {
        const context = `script ${s} (${layout}): after ${step.sql}\n${check}`;
        expect(canonical(rowsOf(await session.execute(check))), context).toEqual(canonical(expected[answer++] ?? []));
      }
    }
    expect(answer).toBe(expected.length);
  }
}

describe('write statements match sqlite3', () => {
  it.skipIf(!hasSqlite)(`${SCRIPTS} random scripts of ${STEPS} statements (seed ${SEED})`, async () => {
    await compareScripts(SCRIPTS, SEED, 'row');
  }, TIMEOUT_MS);

  // UPDATE, DELETE, upserts and ALTER TABLE inside column blocks and their head.
  it.skipIf(!hasSqlite)(`${SCRIPTS} scripts over columnar tables (seed ${SEED + 1000})`, async () => {
    await compareScripts(SCRIPTS, SEED + 1000, 'columnar');
  }, TIMEOUT_MS);
});
