import { afterAll, afterEach, expect } from 'vitest';
import { isChronosError, silentLogger, systemScheduler, type ErrorCode } from '../../src/lib/index.js';
import { MemoryLevel } from 'memory-level';
import { openStorage } from '../../src/storage/index.js';
import type { LayoutOptions, StorageEngine } from '../../src/storage/index.js';
import { testLayout } from '../helpers/test-layout.js';
import { LocalNode } from '../../src/node/local-node.js';
import { systemEnvironment } from '../../src/node/node-environment.js';
import { Session } from '../../src/sql/session.js';
import { SimDisk } from '../../src/wal/index.js';
import type { StatementResult } from '../../src/sql/result.js';

/** A fresh in-memory engine (with `layout`, else the test run's layout policy). */
export async function memoryEngine(layout?: LayoutOptions): Promise<StorageEngine> {
  const level = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
  return openStorage({ level, ...(layout === undefined ? testLayout() : { layout }) });
}

/** Single-node databases a test opened (closed after it) and a file's hooks opened (after the file). */
const openedByTests: LocalNode[] = [];
const openedByHooks: LocalNode[] = [];
afterEach(async () => {
  for (const node of openedByTests.splice(0)) await node.close();
});
afterAll(async () => {
  for (const node of openedByHooks.splice(0)) await node.close();
});

/**
 * A session over a fresh single-node database (the production write path: a one-voter node
 * whose log is on a SimDisk, its state in memory) with a settable clock.
 */
export async function newSession(nowMs = 1_700_000_000_000, layout?: LayoutOptions): Promise<{ session: Session; engine: StorageEngine; executor: LocalNode; clock: { nowMs: () => number; set: (ms: number) => void }; level: MemoryLevel<Uint8Array, Uint8Array> }> {
  let now = nowMs;
  const clock = { nowMs: () => now, set: (ms: number) => { now = ms; } };
  const level = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
  const environment = {
    ...systemEnvironment({ tls: null, peerToken: null, writeTimeoutMs: 60_000, logger: silentLogger }),
    scheduler: systemScheduler,
    disk: new SimDisk(),
    openStorage: () => openStorage({ level, ...(layout === undefined ? testLayout() : { layout }) }),
  };
  const executor = await LocalNode.open('/memory/single-node', { clock, logger: silentLogger, environment });
  (expect.getState().currentTestName === undefined ? openedByHooks : openedByTests).push(executor);
  return { session: new Session(executor), engine: executor.storage, executor, clock, level };
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

/**
 * Expects `sql` to answer `expected` over a table made by `createTable` (a CREATE TABLE without
 * options) and filled by `fill`, once in the row layout and once in the columnar one.
 */
export async function expectInBothLayouts(createTable: string, fill: string, sql: string, expected: unknown): Promise<void> {
  for (const layout of ['row', 'columnar']) {
    const { session } = await newSession();
    await session.execute(`${createTable} WITH (layout = '${layout}')`);
    await session.execute(fill);
    expect(rowsOf(await session.execute(sql)), layout).toEqual(expected);
  }
}

/** Run `sql` expecting a ChronosError with `code` and a message equal to (or matching) `message`. */
export async function expectError(session: Session, sql: string, code: ErrorCode, message: string | RegExp): Promise<void> {
  const error: unknown = await session.execute(sql).then(() => undefined, (e: unknown) => e);
  expect(isChronosError(error, code), String(error)).toBe(true);
  if (typeof message === 'string') expect((error as Error).message).toBe(message);
  else expect((error as Error).message).toMatch(message);
}
