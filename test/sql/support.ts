import { expect } from 'vitest';
import { isChronosError, type ErrorCode } from '../../src/lib/index.js';
import { MemoryLevel } from 'memory-level';
import { openStorage } from '../../src/storage/index.js';
import type { LayoutOptions, StorageEngine } from '../../src/storage/index.js';
import { testLayout } from '../helpers/test-layout.js';
import { LocalExecutor } from '../../src/sql/local-executor.js';
import { Session } from '../../src/sql/session.js';
import type { StatementResult } from '../../src/sql/result.js';

/** A fresh in-memory engine (with `layout`, else the test run's layout policy). */
export async function memoryEngine(layout?: LayoutOptions): Promise<StorageEngine> {
  const level = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
  return openStorage({ level, ...(layout === undefined ? testLayout() : { layout }) });
}

/** A session over a fresh in-memory engine with a fixed clock. */
export async function newSession(nowMs = 1_700_000_000_000, layout?: LayoutOptions): Promise<{ session: Session; engine: StorageEngine; executor: LocalExecutor; clock: { nowMs: () => number; set: (ms: number) => void } }> {
  const engine = await memoryEngine(layout);
  let now = nowMs;
  const clock = { nowMs: () => now, set: (ms: number) => { now = ms; } };
  const executor = new LocalExecutor(engine, clock);
  return { session: new Session(executor), engine, executor, clock };
}

/** Run statements, returning the last result. */
export async function run(session: Session, ...sqls: string[]): Promise<StatementResult> {
  let last: StatementResult | undefined;
  for (const sql of sqls) last = await session.execute(sql);
  if (last === undefined) throw new Error('no statement');
  return last;
}

/** Rows of a SELECT result (fails the test for a message). */
export function rowsOf(result: StatementResult): readonly (readonly unknown[])[] {
  if (result.kind !== 'rows') throw new Error(`expected rows, got message ${result.message}`);
  return result.rows;
}

/** Run `sql` expecting a ChronosError with `code` and a message equal to (or matching) `message`. */
export async function expectError(session: Session, sql: string, code: ErrorCode, message: string | RegExp): Promise<void> {
  const error: unknown = await session.execute(sql).then(() => undefined, (e: unknown) => e);
  expect(isChronosError(error, code), String(error)).toBe(true);
  if (typeof message === 'string') expect((error as Error).message).toBe(message);
  else expect((error as Error).message).toMatch(message);
}
