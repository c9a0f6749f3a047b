import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READINGS_DDL } from '../../src/ingest/index.js';
import { SqlClient } from '../../src/api/grpc/index.js';
import { health, signalNode, startNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';
import { freeNodePort } from '../helpers/ports.js';

/** One device payload; `metrics` names become readings. */
function payload(device: string, ts: number, seq: number, metrics: Record<string, number>): object {
  return { device_id: device, ts, seq, metrics };
}

async function post(node: NodeProcess, body: unknown, headers: Record<string, string> = {}):
  Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${node.adminPort}/ingest`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body), signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, body: await response.text() };
}

/** Reading ids a payload list stands for. */
function idsOf(payloads: readonly object[]): string[] {
  return payloads.flatMap((p) => {
    const { device_id: d, ts, seq, metrics } = p as { device_id: string; ts: number; seq: number; metrics: object };
    return Object.keys(metrics).map((m) => `${d}:${ts}:${seq}:${m}`);
  });
}

async function storedIds(client: SqlClient): Promise<string[]> {
  const result = await client.execute('SELECT reading_id FROM readings');
  return result.kind === 'rows' ? result.rows.map((row) => String(row[0])) : [];
}

/** Waits until exactly `expected` (each once) is stored, as seen through `client`. */
async function expectStoredOnce(client: SqlClient, expected: readonly string[]): Promise<void> {
  const want = [...new Set(expected)].sort();
  const got = await waitFor(`${want.length} readings stored`, 20_000, async () => {
    const ids = await storedIds(client).catch((): string[] => []);
    return ids.length >= want.length ? ids : null;
  });
  expect([...got].sort()).toEqual(want);
}

describe('POST /ingest on a real node', () => {
  let dir = '';
  let port = 0;
  let node: NodeProcess;
  let client: SqlClient;
  const env = { CHRONOS_INGEST_MAX_BODY_BYTES: '4096', CHRONOS_INGEST_MAX_INFLIGHT: '2' };
  const launch = (extraEnv: NodeJS.ProcessEnv = {}): NodeProcess =>
    startNode({ id: 'n1', dataDir: dir, port, peers: new Map(), extraArgs: ['--enable-ingest'], env: { ...env, ...extraEnv } });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-ingest-'));
    port = await freeNodePort(new Set());
    node = launch();
    await waitFor('n1 leads', 15_000, async () => ((await health(node))?.role === 'Leader' ? true : null));
    client = new SqlClient({ address: `127.0.0.1:${port}`, tls: null, token: null, deadlineMs: 8_000 });
  });

  afterAll(async () => {
    client.close();
    await stopNode(node);
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 409 with the CREATE TABLE to run, then 202 once readings exists', async () => {
    const before = await post(node, payload('esp-001', 1733856000, 42, { temp: 30.5 }));
    expect(before.status).toBe(409);
    expect(JSON.parse(before.body).error).toContain(READINGS_DDL);
    await client.execute(READINGS_DDL);
    const guide = await post(node, payload('esp-001', 1733856000, 42, { temp: 30.5, humidity: 40.2 }));
    expect(guide).toEqual({ status: 202, body: '{"status":"queued"}' });
    // Firmware sends malformed types too (fastify alone answers 415 to these).
    for (const type of ['json', 'text/plain,application/json']) {
      expect((await post(node, payload('esp-002', 1733856000, 7, { temp: 1 }), { 'content-type': type })).status).toBe(202);
    }
    await expectStoredOnce(client, ['esp-001:1733856000:42:temp', 'esp-001:1733856000:42:humidity', 'esp-002:1733856000:7:temp']);
  });

  it('answers 400 naming the field, and 413 over the body limit', async () => {
    const cases: Array<[unknown, RegExp]> = [
      ['{"device_id":', /JSON/],
      [payload('esp', 1, 1, {}), /metrics is empty/],
      [{ device_id: 'esp', ts: '1', seq: 1, metrics: { v: 1 } }, /ts must be a JSON integer, not a string/],
      [{ device_id: 'esp', ts: 1, seq: 1, metrics: { v: 'x' } }, /metrics\.v must be a number/],
    ];
    for (const [body, message] of cases) {
      const answer = await post(node, body);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body).error).toMatch(message);
    }
    const big = Array.from({ length: 80 }, (_, i) => payload('esp', 10 + i, 1, { temp: i }));
    const tooLarge = await post(node, big);
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.body).error).toMatch(/CHRONOS_INGEST_MAX_BODY_BYTES/);
  });

  it('stores every reading once: concurrent copies, overlapping resends, a reading twice in one array', async () => {
    const base = [payload('dup', 1, 1, { a: 1, b: 2 }), payload('dup', 2, 1, { a: 3 })];
    const answers = await Promise.all([
      ...Array.from({ length: 6 }, () => post(node, base)),
      post(node, [base[1], payload('dup', 3, 1, { a: 4 })]),
      post(node, [payload('dup', 4, 1, { a: 5 }), payload('dup', 4, 1, { a: 5 })]),
    ]);
    // Beyond CHRONOS_INGEST_MAX_INFLIGHT=2 a request may be refused with 429: resend those.
    for (const [i, answer] of answers.entries()) {
      expect([202, 429]).toContain(answer.status);
      if (answer.status === 429) expect(answer.body).toMatch(/CHRONOS_INGEST_MAX_INFLIGHT/);
      if (answer.status === 429 && i === 7) expect((await post(node, [payload('dup', 4, 1, { a: 5 })])).status).toBe(202);
      if (answer.status === 429 && i === 6) expect((await post(node, [payload('dup', 3, 1, { a: 4 })])).status).toBe(202);
    }
    const expected = idsOf([...base, payload('dup', 3, 1, { a: 4 }), payload('dup', 4, 1, { a: 5 })]);
    const all = await storedIds(client);
    await expectStoredOnce(client, [...all.filter((id) => !id.startsWith('dup:')), ...expected]);
    const metrics = await (await fetch(`http://127.0.0.1:${node.adminPort}/metrics`)).text();
    expect(metrics).toMatch(/chronos_ingest_readings_total\{outcome="duplicate"\} [1-9]/);
  });

  it('loses nothing answered 202 when killed -9 right after, or stopped with requests in flight', async () => {
    const accepted: object[] = [];
    for (let i = 0; i < 20; i += 1) {
      const p = payload('kill9', 100 + i, 0, { v: i });
      if ((await post(node, p)).status === 202) accepted.push(p);
    }
    signalNode(node, 'SIGKILL');
    await node.exited();
    node = launch();
    await waitFor('n1 back', 15_000, async () => ((await health(node))?.role === 'Leader' ? true : null));
    await expectStoredOnce(client, (await storedIds(client)).filter((id) => !id.startsWith('kill9:'))
      .concat(idsOf(accepted)));

    const inFlight = Array.from({ length: 40 }, (_, i) => payload('term', 200 + i, 0, { v: i }));
    const answers = inFlight.map((p) => post(node, p).catch(() => ({ status: 0, body: '' })));
    await new Promise((resolve) => setTimeout(resolve, 20));
    signalNode(node, 'SIGTERM');
    const settled = await Promise.all(answers);
    expect(await node.exited()).toBe(0);
    const queued = inFlight.filter((_, i) => settled[i]?.status === 202);
    expect(queued.length).toBeGreaterThan(0);
    for (const answer of settled) expect([0, 202, 429, 503]).toContain(answer.status);
    node = launch();
    await waitFor('n1 back', 15_000, async () => ((await health(node))?.role === 'Leader' ? true : null));
    const stored = await waitFor('every 202 stored', 20_000, async () => {
      const ids = await storedIds(client).catch((): string[] => []);
      return idsOf(queued).every((id) => ids.includes(id)) ? ids : null;
    });
    expect(new Set(stored).size).toBe(stored.length);
  });
});
