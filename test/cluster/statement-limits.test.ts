import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isChronosError } from '../../src/lib/errors.js';
import { SqlClient } from '../../src/api/grpc/index.js';
import { freeNodePort } from '../helpers/ports.js';
import { health, startNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';

// Big enough that the join runs ~10x past the limit even on a fast machine (4,000 rows once finished in time).
const ROWS = 12_000;
/** A nested-loop self-join: ROWS² condition evaluations, no row ever matches. */
const HEAVY_JOIN = 'SELECT count(*) FROM big a JOIN big b ON a.v + b.v = -1';

/** Starts a one-node cluster with `env`, fills `big` with ROWS rows, returns it and a client. */
async function filledNode(dataDir: string, env: NodeJS.ProcessEnv): Promise<{ node: NodeProcess; sql: SqlClient }> {
  const port = await freeNodePort();
  const node = startNode({ id: 'n1', dataDir, port, peers: new Map(), env });
  const sql = new SqlClient({ address: `127.0.0.1:${port}`, tls: null, token: null, deadlineMs: 20_000 });
  await waitFor('the node leading', 20_000, async () => ((await health(node))?.role === 'Leader' ? true : null));
  await sql.execute('CREATE TABLE big (k INT PRIMARY KEY, v INT)');
  for (let start = 0; start < ROWS; start += 1_000) {
    const values = Array.from({ length: 1_000 }, (_, i) => `(${start + i}, ${start + i})`).join(', ');
    await sql.execute(`INSERT INTO big (k, v) VALUES ${values}`);
  }
  return { node, sql };
}

/** The slowest /health answer while `work` runs: how long the event loop was held. */
async function slowestHealthDuring(node: NodeProcess, work: Promise<unknown>): Promise<number> {
  let done = false;
  void work.finally(() => (done = true)).catch(() => undefined);
  let slowest = 0;
  for (let i = 0; i < 400 && !done; i++) {
    const started = Date.now();
    await health(node);
    slowest = Math.max(slowest, Date.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return slowest;
}

async function failureOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(() => null, (error: unknown) => error);
}

describe('statement limits on a real node', () => {
  let dataDir = '';
  let node: NodeProcess | null = null;
  let sql: SqlClient | null = null;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'chronos-limits-'));
    ({ node, sql } = await filledNode(dataDir, {
      CHRONOS_STATEMENT_TIMEOUT_MS: '1500',
      CHRONOS_MAX_MATERIALIZED_ROWS: '100000',
    }));
  }, 60_000);

  afterAll(async () => {
    sql?.close();
    if (node !== null) await stopNode(node);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('ends a statement past CHRONOS_STATEMENT_TIMEOUT_MS with TIMEOUT, the event loop free meanwhile', async () => {
    const started = Date.now();
    const running = failureOf(sql!.execute(HEAVY_JOIN));
    const slowest = await slowestHealthDuring(node!, running);
    const failure = await running;
    expect(isChronosError(failure, 'TIMEOUT')).toBe(true);
    expect(String((failure as Error).message)).toMatch(/CHRONOS_STATEMENT_TIMEOUT_MS/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(slowest).toBeLessThan(500);
    expect(await sql!.execute('SELECT count(*) FROM big')).toMatchObject({ rows: [[ROWS]] });
  }, 30_000);

  it('holds a UNION to the same time limit as a SELECT', async () => {
    const failure = await failureOf(sql!.execute(`${HEAVY_JOIN} UNION SELECT 1 ORDER BY 1`));
    expect(isChronosError(failure, 'TIMEOUT')).toBe(true);
  }, 30_000);

  it('holds a correlated subquery to the time limit: it runs once per outer value, each under it', async () => {
    // 2,000 outer values, each answered by a scan of all 12,000 rows: 24M row evaluations.
    const correlated = 'SELECT count(*) FROM (SELECT k % 2000 AS x FROM big) g ' +
      'WHERE g.x < (SELECT count(*) FROM big b WHERE b.v % 2000 = g.x)';
    const started = Date.now();
    const failure = await failureOf(sql!.execute(correlated));
    expect(isChronosError(failure, 'TIMEOUT')).toBe(true);
    expect(Date.now() - started).toBeLessThan(6_000);
  }, 30_000);

  it('ends a join holding more than CHRONOS_MAX_MATERIALIZED_ROWS with LIMIT_EXCEEDED', async () => {
    // 50 left rows × 12,000 right rows = 600,000 rows held for the ORDER BY.
    const failure = await failureOf(sql!.execute('SELECT a.k, b.k FROM big a JOIN big b ON a.k < 50 ORDER BY b.k'));
    expect(isChronosError(failure, 'LIMIT_EXCEEDED')).toBe(true);
    expect(String((failure as Error).message)).toMatch(/CHRONOS_MAX_MATERIALIZED_ROWS/);
  }, 30_000);

  it('stops a statement whose client went away (deadline passed) on the server', async () => {
    const port = Number(/:(\d+)$/.exec(sql!.address)?.[1]);
    const impatient = new SqlClient({ address: `127.0.0.1:${port}`, tls: null, token: null, deadlineMs: 300 });
    try {
      const failure = await failureOf(impatient.execute(HEAVY_JOIN));
      expect(isChronosError(failure, 'TIMEOUT')).toBe(true);
    } finally {
      impatient.close();
    }
    // The server says the statement ended as cancelled, well before its own 1500 ms limit.
    const line = await waitFor('the server to stop the statement', 5_000, () =>
      node!.output().split('\n').find((l) => l.includes('statement ended early') && l.includes('CANCELLED')) ?? null);
    expect(line).toContain('CANCELLED');
  }, 30_000);
});
