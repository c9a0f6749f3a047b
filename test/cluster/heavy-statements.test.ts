import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatementResult } from '../../src/sql/result.js';
import { health, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';
import { SqlClient } from '../../src/api/grpc/index.js';
import { ProcessCluster } from '../helpers/process-cluster.js';
import { isChronosError } from '../../src/lib/index.js';
import { Random } from '../../src/lib/random.js';
import { tokenize } from '../../src/sql/lexer.js';
import { HEAVY_SHAPES, drawCounts, expectedOutcome, tokensOf } from './heavy-shapes.js';

const IDS = ['node1', 'node2', 'node3'] as const;
type Id = (typeof IDS)[number];
const BIG_INSERT_ROWS = 100_000;
const JOIN_ROWS = 25_000;
const IN_LIST_ITEMS = 100_000;
const SHAPES_SEED = Number(process.env['CHRONOS_HEAVY_SEED'] ?? 20261207);

/** Peak resident set of a process we started (VmHWM), in MiB; 0 when unreadable. */
async function peakRssMiB(node: NodeProcess): Promise<number> {
  const status = await readFile(`/proc/${node.child.pid}/status`, 'utf8').catch(() => '');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kb === undefined ? 0 : Number(kb) / 1024;
}

function count(result: StatementResult): number {
  return result.kind === 'rows' ? Number(result.rows[0]?.[0]) : -1;
}

/**
 * Small single-row writes through the leader, from a few sequential writers, while heavy statements run
 * elsewhere: each write's latency, and every id that was acknowledged.
 */
class BackgroundWriter {
  readonly latenciesMs: number[] = [];
  readonly acknowledged: number[] = [];
  readonly failures: string[] = [];
  #stopped = false;
  #done: Promise<void> = Promise.resolve();

  /** `writers` sequential writers with their own ids, each bounded to 1,000 writes. */
  start(cluster: ProcessCluster<Id>, via: Id, writers: number): void {
    const one = async (writer: number): Promise<void> => {
      for (let n = 1; n <= 1_000 && !this.#stopped; n += 1) {
        const id = writer * 1_000 + n;
        const started = Date.now();
        try {
          await cluster.client(via).execute(`INSERT INTO small (id, v) VALUES (${id}, ${id * 0.5})`);
          this.acknowledged.push(id);
        } catch (error) {
          this.failures.push(error instanceof Error ? error.message : String(error));
        }
        this.latenciesMs.push(Date.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    this.#done = Promise.all(Array.from({ length: writers }, (_, w) => one(w))).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#done;
  }

  /** The latency `fraction` of the writes stayed within (0.99 = p99). */
  percentile(fraction: number): number {
    const sorted = [...this.latenciesMs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
  }

  max(): number {
    return Math.max(0, ...this.latenciesMs);
  }
}

/**
 * The heavy statements of issue 13 against a real 3-node cluster: each either succeeds or ends
 * with a clear error, while small writes alongside keep flowing, the leader keeps its term and
 * no node passes ~1 GiB of memory.
 */
describe('heavy statements on a 3-node cluster, with a writer alongside', () => {
  let cluster: ProcessCluster<Id>;
  let leaderId: Id = 'node1';
  let followerId: Id = 'node2';
  let term = 0;
  const writer = new BackgroundWriter();
  const heavyClients: SqlClient[] = [];
  /** A client for one heavy statement: a busy shared machine may take longer than 8 s. */
  const heavyClient = (id: Id): SqlClient => {
    const client = new SqlClient({ address: `127.0.0.1:${cluster.ports.get(id)}`, tls: null, token: null,
      deadlineMs: 60_000 });
    heavyClients.push(client);
    return client;
  };

  const leader = (): Promise<{ id: Id; term: number }> =>
    waitFor('a leader', 15_000, async () => {
      for (const id of IDS) {
        const h = await health(cluster.node(id));
        if (h?.role === 'Leader') return { id, term: h.term };
      }
      return null;
    });

  /**
   * Every node's view of the term: all must still be `term`. A node still finishing a heavy
   * apply on this shared machine may miss one 1 s health poll; that is not a term change, so
   * each node is asked until it answers (bounded).
   */
  const terms = async (): Promise<number[]> =>
    Promise.all(IDS.map(async (id) => (await waitFor(`${id}'s health`, 10_000, () => health(cluster.node(id)))).term));

  /** The term each node reported after each test: which statement, if any, cost the term. */
  const termsAfter: string[] = [];
  afterEach(async (context) => {
    const seen = await Promise.all(IDS.map(async (id) => (await health(cluster.node(id)))?.term ?? '?'));
    termsAfter.push(`${context.task.name.slice(0, 40)}: ${seen.join('/')}`);
  });
  /** Each node's role changes as it logged them, for a failure's message. */
  const roleChanges = (): string => IDS.map((id) =>
    `${id}: ${cluster.node(id).output().split('\n').filter((line) => line.includes('role ')).join(' | ')}`).join('\n');

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chronos-heavy-'));
    // A short statement timeout keeps the runaway join's test short; the limit is the same code.
    cluster = await ProcessCluster.create(IDS, dir, { CHRONOS_STATEMENT_TIMEOUT_MS: '6000' });
    for (const id of IDS) cluster.launch(id);
    ({ id: leaderId, term } = await leader());
    followerId = IDS.find((id) => id !== leaderId) ?? 'node2';
    await cluster.client(leaderId).execute('CREATE TABLE small (id INT PRIMARY KEY, v FLOAT)');
    await cluster.client(leaderId).execute('CREATE TABLE big (id INT PRIMARY KEY, g INT, v FLOAT)');
    await cluster.client(leaderId).execute('CREATE TABLE sink (id INT PRIMARY KEY, v FLOAT)');
    writer.start(cluster, leaderId, 4);
  }, 60_000);

  afterAll(async () => {
    await writer.stop();
    for (const client of heavyClients) client.close();
    cluster.closeClients();
    await Promise.all(IDS.map((id) => stopNode(cluster.node(id))));
    await rm(cluster.dataDir, { recursive: true, force: true });
  });

  it(`a ${BIG_INSERT_ROWS.toLocaleString('en')}-row INSERT through a follower commits`, async () => {
    const values = Array.from({ length: BIG_INSERT_ROWS },
      (_, i) => `(${i}, ${i % 97}, ${(i * 0.25).toFixed(2)})`).join(', ');
    const result = await heavyClient(followerId).execute(`INSERT INTO big (id, g, v) VALUES ${values}`);
    expect(result).toMatchObject({ kind: 'message', rowsAffected: BIG_INSERT_ROWS });
    expect(count(await cluster.client(leaderId).execute('SELECT COUNT(*) FROM big'))).toBe(BIG_INSERT_ROWS);
  }, 60_000);

  it(`a ${IN_LIST_ITEMS.toLocaleString('en')}-item IN list answers`, async () => {
    const list = Array.from({ length: IN_LIST_ITEMS }, (_, i) => i * 2).join(', ');
    const result = await heavyClient(followerId).execute(`SELECT COUNT(*) FROM big WHERE id IN (${list})`);
    expect(count(result)).toBe(BIG_INSERT_ROWS / 2);
  }, 60_000);

  it(`a ${JOIN_ROWS.toLocaleString('en')}-row self-join ends with a clear error, not the node`, async () => {
    const heavy = `SELECT a.id, b.id FROM big a JOIN big b ON a.v < b.v WHERE a.id < ${JOIN_ROWS} AND b.id < ${JOIN_ROWS}`;
    const error = await heavyClient(leaderId).execute(heavy).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/TIMEOUT|LIMIT_EXCEEDED|statement timeout|more than/i);
  }, 60_000);

  it('each shape counts its tokens as the lexer does (the sweep\'s oracle)', () => {
    for (const shape of HEAVY_SHAPES) {
      for (const n of [7, 30]) expect(tokenize(shape.sql(n)).length, `${shape.name} of ${n}`).toBe(tokensOf(shape, n));
    }
  });

  // Every statement runs on the leader, so one that held its loop past an election timeout
  // would cost the term the last test checks.
  it(`long lists and chains of every shape answer or end in LIMIT_EXCEEDED (seed ${SHAPES_SEED})`, async () => {
    const rng = new Random(SHAPES_SEED);
    for (const shape of HEAVY_SHAPES) {
      for (const n of drawCounts(shape, rng)) {
        const outcome = await heavyClient(leaderId).execute(shape.sql(n)).then(() => 'answer', (e: unknown) => e);
        const expected = expectedOutcome(shape, n);
        const what = `${shape.name} of ${n} items: ${outcome instanceof Error ? outcome.message.slice(0, 200) : String(outcome)}`;
        if (expected === 'answer') expect(outcome, what).toBe('answer');
        else if (expected === 'LIMIT_EXCEEDED') expect(isChronosError(outcome, 'LIMIT_EXCEEDED'), what).toBe(true);
        else expect(isChronosError(outcome, 'INVALID_ARGUMENT') || isChronosError(outcome, 'TYPE_MISMATCH'), what).toBe(true);
      }
    }
  }, 180_000);

  it('no write alongside waited 5 s, every write acknowledged, the term unchanged, memory bounded', async () => {
    await writer.stop();
    expect(writer.failures).toEqual([]);
    expect(writer.acknowledged.length).toBeGreaterThan(20);
    // Writes queued behind the 100k-row INSERT in the log wait for its apply (one per writer,
    // ~0.35 s alone on two shared cores, ~1 s beside the whole suite): the test holds every write to
    // 5 s (the old code lost the leader and failed them) and reports the percentiles.
    expect(writer.max()).toBeLessThan(5_000);
    expect(await terms(), `terms after each test:\n${termsAfter.join('\n')}\n${roleChanges()}`)
      .toEqual([term, term, term]);
    expect((await leader()).id).toBe(leaderId);
    const peaks = await Promise.all(IDS.map((id) => peakRssMiB(cluster.node(id))));
    for (const peak of peaks) expect(peak).toBeLessThan(1_024);
    expect(count(await cluster.client(followerId).execute('SELECT COUNT(*) FROM small')))
      .toBe(writer.acknowledged.length);
    console.log(`heavy statements: ${writer.latenciesMs.length} small writes, p95 ${writer.percentile(0.95)} ms, p99 ${writer.percentile(0.99)} ms, max ${writer.max()} ms, ` +
      `peak RSS MiB ${peaks.map((p) => p.toFixed(0)).join('/')}`);
  }, 30_000);
});
