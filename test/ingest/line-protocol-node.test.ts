import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { HttpError, InfluxDB, Point, setLogger } from '@influxdata/influxdb-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlClient } from '../../src/api/grpc/index.js';
import { Random } from '../../src/lib/index.js';
import { health, signalNode, startNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';
import { freeNodePort } from '../helpers/ports.js';

const INGEST_TOKEN = 'ingest-secret';
const ADMIN_TOKEN = 'admin-secret';
const READONLY_TOKEN = 'readonly-secret';

interface Answer {
  readonly status: number;
  readonly body: string;
}

describe('InfluxDB line protocol (/write, /api/v2/write) on a real node', () => {
  let dir = '';
  let port = 0;
  let node: NodeProcess;
  let client: SqlClient;
  const env = {
    CHRONOS_AUTH_TOKEN_INGEST: INGEST_TOKEN, CHRONOS_AUTH_TOKEN_ADMIN: ADMIN_TOKEN, CHRONOS_AUTH_TOKEN_READONLY: READONLY_TOKEN,
    CHRONOS_WRITE_MAX_BODY_BYTES: '65536', CHRONOS_INGEST_MAX_BACKLOG_READINGS: '300',
  };
  const launch = (): NodeProcess =>
    startNode({ id: 'n1', dataDir: dir, port, peers: new Map(), extraArgs: ['--enable-ingest'], env });
  const url = (): string => `http://127.0.0.1:${node.adminPort}`;
  const post = async (path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> => {
    const response = await fetch(`${url()}${path}`, {
      method: 'POST', headers: { authorization: `Token ${INGEST_TOKEN}`, ...headers }, body,
      signal: AbortSignal.timeout(15_000),
    });
    return { status: response.status, body: await response.text() };
  };
  const rows = async (sql: string): Promise<unknown[][]> => {
    const result = await client.execute(sql);
    return result.kind === 'rows' ? result.rows.map((row) => [...row]) : [];
  };
  const waitForRows = (what: string, sql: string, count: number): Promise<unknown[][]> =>
    waitFor(what, 20_000, async () => {
      const found = await rows(sql).catch((): unknown[][] => []);
      return found.length >= count ? found : null;
    });

  beforeAll(async () => {
    // The client logs each refused write; the test checks the refusal itself.
    setLogger({ error: () => undefined, warn: () => undefined });
    dir = await mkdtemp(join(tmpdir(), 'chronos-write-'));
    port = await freeNodePort(new Set());
    node = launch();
    await waitFor('n1 leads', 15_000, async () => ((await health(node, ADMIN_TOKEN))?.role === 'Leader' ? true : null));
    client = new SqlClient({ address: `127.0.0.1:${port}`, tls: null, token: ADMIN_TOKEN, deadlineMs: 8_000 });
  });

  afterAll(async () => {
    client.close();
    await stopNode(node);
    await rm(dir, { recursive: true, force: true });
  });

  it('takes points from the official InfluxDB JavaScript client (2.x API, Token auth, gzip) into SQL tables', async () => {
    const influx = new InfluxDB({ url: url(), token: INGEST_TOKEN });
    const writer = influx.getWriteApi('any-org', 'farm', 'ms', { maxRetries: 0, flushInterval: 0, gzipThreshold: 200 });
    for (let i = 0; i < 50; i += 1) {
      writer.writePoint(new Point('climate').tag('device', `esp-${i % 5}`).tag('site', 'barn 1')
        .floatField('temp', 20 + i / 4).intField('rssi', -60 - i).booleanField('door', i % 2 === 0)
        .stringField('note', `reading "${i}"`).timestamp(1_733_856_000_000 + i * 1000));
    }
    // A string with newlines (a stack trace) is sent with them raw: the text after one is no point.
    writer.writePoint(new Point('applog').tag('device', 'esp-0').stringField('msg', 'Traceback:\nforged,device=evil v=666 1\nend')
      .intField('code', 1).timestamp(1_733_856_000_000));
    await writer.close();
    expect(await waitForRows('the log point', 'SELECT device, msg, code FROM applog', 1))
      .toEqual([['esp-0', 'Traceback:\nforged,device=evil v=666 1\nend', 1]]);
    await expect(client.execute('SELECT * FROM forged')).rejects.toThrow(/forged/);
    const stored = await waitForRows('50 climate points', 'SELECT device, site, temp, rssi, door, note, ts FROM climate ORDER BY ts', 50);
    expect(stored).toHaveLength(50);
    expect(stored[3]).toEqual(['esp-3', 'barn 1', 20.75, -63, false, 'reading "3"', 1_733_856_003_000_000_000n]);

    const wrong = new InfluxDB({ url: url(), token: 'not-the-token' }).getWriteApi('o', 'farm', 'ms', { maxRetries: 0 });
    wrong.writeRecord('climate,device=x temp=1 1');
    const refused = await wrong.close().then(() => null, (error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpError);
    expect((refused as HttpError).statusCode).toBe(401);
  });

  it('takes 1.x writes in any content type and precision, with Basic auth or ?p=, and merges a point of the same series and time', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const basic = { authorization: `Basic ${Buffer.from(`telegraf:${INGEST_TOKEN}`).toString('base64')}` };
    expect(await post('/write?db=telegraf&precision=s', 'cpu,host=gw1 usage_user=12.5,load=3i 1733856000', { ...form, ...basic }))
      .toEqual({ status: 204, body: '' });
    expect((await post('/write?db=telegraf&precision=s', 'cpu,host=gw1 usage_user=12.5,load=3i 1733856000', basic)).status).toBe(204);
    // Malformed types too, which fastify alone would answer 415.
    // Drawn too: words, slashes, commas, semicolons and spaces in any order (fastify parses few of them).
    const random = new Random(20261207);
    const drawn = Array.from({ length: 20 }, () =>
      Array.from({ length: 1 + random.int(12) }, () => 'ab/,; =x'[random.int(8)] ?? 'a').join('').trim() || 'x');
    for (const type of ['text', 'text/plain,application/json', ...drawn]) {
      expect((await post('/write?db=telegraf&precision=s', 'cpu,host=gw1 usage_user=12.5 1733856000', { ...basic, 'content-type': type })).status).toBe(204);
    }
    expect((await post(`/write?db=telegraf&precision=ms&p=${INGEST_TOKEN}`, 'cpu,host=gw1 usage_system=1.25 1733856000000',
      { authorization: '' })).status).toBe(204);
    expect((await post('/write?db=telegraf&precision=m', 'cpu,host=gw2 usage_user=1 28897600')).status).toBe(204);
    const stored = await waitFor('the merged point', 20_000, async () => {
      const found = await rows('SELECT host, usage_user, usage_system, load, ts FROM cpu ORDER BY host').catch(() => []);
      return found.length === 2 && found[0]?.[2] !== null ? found : null;
    });
    expect(stored).toEqual([['gw1', 12.5, 1.25, 3, 1_733_856_000_000_000_000n], ['gw2', 1, null, null, 1_733_856_000_000_000_000n]]);
  });

  it('answers 400 naming the lines left out (the rest stored, as InfluxDB), 401/403, 413 over the decompressed limit, 429 over the backlog', async () => {
    const bad = await post('/api/v2/write?bucket=b', 'ok v=1 1\n\n# fine\nbroken v=oops 2\nok v="text" 3\nok v=4i 4\n');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ code: 'invalid', message: expect.stringMatching(
      /^partial write: line 4: field v has an invalid value oops .*: "broken v=oops 2"; line 5: field v of ok is STRING here but the column is FLOAT \(2 points stored\) dropped=2$/) });
    expect(await waitForRows('the kept points', 'SELECT ts, v FROM ok ORDER BY ts', 2)).toEqual([[1, 1], [4, 4]]);
    const v1 = await fetch(`${url()}/write?db=d&p=${INGEST_TOKEN}`, { method: 'POST', body: 'm v=\n' });
    expect(v1.status).toBe(400);
    expect(await v1.json()).toEqual({ error: expect.stringMatching(/^unable to parse line 1: field v has no value: .* \(nothing stored\) dropped=1$/) });
    expect(await post('/write', 'm v=1')).toMatchObject({ status: 400, body: expect.stringMatching(/database is required/) });
    expect(await post('/api/v2/write?bucket=b&precision=h', 'm v=1')).toMatchObject({ status: 400, body: expect.stringMatching(/precision .*h.* is not one of ns, us, ms, s/) });
    expect(await post('/api/v2/write?bucket=b', 'cpu,host=gw1 load=0.5 1'))
      .toMatchObject({ status: 400, body: expect.stringMatching(/unable to parse line 1: field load of cpu is FLOAT here but the column is INT/) });
    expect((await post('/api/v2/write?bucket=b', 'm v=1', { authorization: `Token ${READONLY_TOKEN}` })).status).toBe(403);
    expect((await post('/api/v2/write?bucket=b', 'm v=1', { authorization: '' })).status).toBe(401);

    const big = `${'m,t=x v=1 1\n'.repeat(6000)}`;
    const tooLarge = await post('/api/v2/write?bucket=b', gzipSync(big), { 'content-encoding': 'gzip' });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatch(/CHRONOS_WRITE_MAX_BODY_BYTES/);
    const lines = (n: number, from: number): string => Array.from({ length: n }, (_, i) => `backlog,n=${from + i} v=${i} ${from + i}`).join('\n');
    const full = await post('/api/v2/write?bucket=b', lines(301, 0));
    expect(full.status).toBe(429);
    expect(full.body).toMatch(/limit 300, CHRONOS_INGEST_MAX_BACKLOG_READINGS/);
    expect((await post('/api/v2/write?bucket=b', gzipSync(lines(250, 1000)), { 'content-encoding': 'gzip' })).status).toBe(204);
    expect(await waitForRows('250 backlog points', 'SELECT n FROM backlog', 250)).toHaveLength(250);
  });

  it('answers 400, never 204, to a point that conflicts with one journaled but not stored yet', async () => {
    // Sent together, both are checked before either is stored: the second must still be refused,
    // since after a 204 its points would be dropped at apply (or, for a tag, stop the node).
    const pairs = [
      ['race_a v=1 1000', 'race_a v="s" 2000'], ['race_b v=1i 1000', 'race_b v=2.5 2000'],
      ['race_c temp=21.5 1000', 'race_c,temp=high v=1 2000'], ['race_d,x=a v=1 1000', 'race_d x=2 2000'],
    ];
    for (const [first, second] of pairs) {
      const answers = await Promise.all([post('/write?db=d', first as string), post('/write?db=d', second as string)]);
      expect(answers.map((a) => a.status).sort(), `${first} | ${second}`).toEqual([204, 400]);
      expect(answers.find((a) => a.status === 400)?.body).toMatch(/is (STRING|FLOAT|INT) here but the column is|goes into a|both a tag and a field/);
    }
    for (const name of ['race_a', 'race_b', 'race_c', 'race_d']) {
      expect(await waitForRows(`the point of ${name} answered 204`, `SELECT ts FROM ${name}`, 1)).toHaveLength(1);
    }
  });

  it('loses and doubles nothing answered 204 when killed -9 right after', async () => {
    const accepted: number[] = [];
    for (let i = 0; i < 30; i += 1) {
      const answer = await post('/api/v2/write?bucket=b&precision=s', `kill9,dev=d${i % 3} v=${i} ${1_733_860_000 + i}`);
      if (answer.status === 204) accepted.push(i);
    }
    signalNode(node, 'SIGKILL');
    await node.exited();
    node = launch();
    await waitFor('n1 back', 15_000, async () => ((await health(node, ADMIN_TOKEN))?.role === 'Leader' ? true : null));
    const stored = await waitForRows('every 204 stored', 'SELECT v FROM kill9 ORDER BY v', accepted.length);
    expect(stored.map((row) => row[0])).toEqual(accepted);
  });
});
