import { describe, expect, it } from 'vitest';
import { isChronosError, Random } from '../../src/lib/index.js';
import { splitStatements } from '../../src/sql/index.js';
import { postgresTypeNames, runnablePostgresBin, startPostgres } from '../helpers/postgres.js';
import type { PostgresAnswer } from '../helpers/postgres.js';
import { canonicalNumber } from './compare-data.js';
import { WriteScript } from './sqlite-writes.js';
import { newSession, rowsOf } from './support.js';

// The sqlite3 write comparison's scripts (INSERT, upserts, UPDATE and DELETE with subqueries,
// ALTER TABLE, indexes, transactions), run on a throwaway PostgreSQL too; every table is
// compared after every statement. CHRONOS_PG_WRITES / CHRONOS_PG_SEED run more or others.
const SCRIPTS = Number(process.env['CHRONOS_PG_WRITES'] ?? 8);
const STEPS = 60;
const SEED = Number(process.env['CHRONOS_PG_SEED'] ?? 616161);
const TIMEOUT_MS = Math.max(90_000, SCRIPTS * 6_000);

const bin = runnablePostgresBin();

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  const text = String(value);
  return /^-?\d+(\.\d*)?(e[+-]?\d+)?$/i.test(text) ? String(canonicalNumber(Number(text))) : text;
}

/** Rows as sorted JSON lines: tables are compared as multisets. */
function canonical(rows: readonly (readonly unknown[])[]): string[] {
  return rows.map((row) => JSON.stringify(row.map(asText))).sort();
}

function rowsOfAnswer(answer: PostgresAnswer | undefined, context: string): (string | null)[][] {
  if (answer === undefined) throw new Error(`${context}: PostgreSQL gave no answer`);
  if ('error' in answer) throw new Error(`${context}: PostgreSQL refused it: ${answer.error}`);
  return answer.rows;
}

describe('write statements match PostgreSQL', () => {
  it.skipIf(bin === undefined)(`${SCRIPTS} random scripts of ${STEPS} statements (seed ${SEED})`, async () => {
    const postgres = await startPostgres(bin as string);
    try {
      for (let s = 0; s < SCRIPTS; s++) {
        const script = new WriteScript(new Random(SEED + s));
        const setup = script.setup();
        const steps = Array.from({ length: STEPS }, () => ({ sql: script.next(), checks: script.snapshots() }));
        // The inserts we must refuse (a duplicate key) are not given to PostgreSQL, which would
        // refuse them too but end the transaction they are in.
        const statements = steps.map((step) => splitStatements(`${step.sql};`).statements);
        const theirs = postgres.answers([
          'DROP SCHEMA IF EXISTS w CASCADE', 'CREATE SCHEMA w', 'SET search_path = w',
          ...setup.map(postgresTypeNames),
          ...steps.flatMap((step, i) => [
            ...(statements[i] ?? []).filter((sql) => !script.duplicates.has(sql)).map(postgresTypeNames),
            ...step.checks,
          ]),
        ]);
        const { session } = await newSession();
        for (const sql of setup) await session.execute(sql);
        let at = 3 + setup.length;
        for (const [i, step] of steps.entries()) {
          for (const sql of statements[i] ?? []) {
            if (script.duplicates.has(sql)) {
              await session.execute(sql).then(() => undefined, (error: unknown) => {
                if (!isChronosError(error, 'DUPLICATE_KEY')) throw error;
              });
              continue;
            }
            await session.execute(sql);
            rowsOfAnswer(theirs[at++], `script ${s}: ${sql}`);
          }
          for (const check of step.checks) {
            const context = `script ${s}: after ${step.sql}\n${check}`;
            const expected = rowsOfAnswer(theirs[at++], context);
            expect(canonical(rowsOf(await session.execute(check))), context).toEqual(canonical(expected));
          }
        }
        expect(at).toBe(theirs.length);
      }
    } finally {
      postgres.stop();
    }
  }, TIMEOUT_MS);
});
