import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, runChronos } from './binary.js';
import { freeNodePort } from '../helpers/ports.js';
import { startNode, stopNode, waitFor } from '../helpers/node-process.js';
import { ByteReader } from '../../src/storage/bytes.js';
import { skipBlockKeys } from '../../src/storage/block-keys.js';
import { readSummary } from '../../src/storage/codecs/column-summary.js';
import { readInts } from '../../src/storage/codecs/int-codec.js';
import type { TableSchema } from '../../src/storage/schema.js';

let dir = '';
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'chronos-chimp-node-'));
}, BUILD_TIMEOUT_MS);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The table the test creates: hidden row ids, one INT and one FLOAT column. */
const SCHEMA: TableSchema = {
  name: 'm', id: 1, primaryKey: [], ttlMs: null, indexes: [], layout: 'columnar', rowCodecVersion: 1,
  columns: [{ name: 'ts', type: 'INT', notNull: false }, { name: 'v', type: 'FLOAT', notNull: false }],
};
const BLOCKS_OF_TABLE_1 = Uint8Array.of(0x10, 0, 0, 0, 1, 0x05);

/** Doubles the decimal codec does not take (many digits, extremes, subnormals), exact as JSON. */
function values(count: number, from: number): number[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    if (i % 97 === 5) return 5e-324;
    if (i % 89 === 7) return -Number.MAX_VALUE;
    if (i % 10 === 3) return values(1, i - 1)[0] as number; // the previous value again
    return 20 + Math.sin(i / 30) * 7 + i / 1e5;
  });
}

/** The encoding byte of the FLOAT column `v` of each block stored in the node's state dir. */
async function floatEncodings(stateDir: string): Promise<number[]> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(stateDir, { keyEncoding: 'view', valueEncoding: 'view' });
  const out: number[] = [];
  try {
    for await (const [key, block] of db.iterator()) {
      if (!BLOCKS_OF_TABLE_1.every((byte, i) => key[i] === byte)) continue;
      const reader = new ByteReader(block, 'block');
      expect(reader.u8()).toBe(2);
      const rows = reader.varint();
      reader.varint();
      reader.bytes(reader.varint());
      skipBlockKeys(reader, SCHEMA, rows);
      readInts(reader, rows);
      reader.bytes(reader.varint()); // ts
      const v = new ByteReader(reader.bytes(reader.varint()), 'v');
      expect(v.u8()).toBe(0);
      readSummary(v, 'FLOAT');
      out.push(v.u8());
    }
  } finally {
    await db.close();
  }
  return out;
}

describe('a node started with CHRONOS_CHIMP_ENABLE=1', () => {
  it('stores FLOAT columns as Chimp blocks and reads every value back exactly through SQL', async () => {
    const port = await freeNodePort();
    const dataDir = join(dir, 'data');
    const node = startNode({ id: 'n1', dataDir, port, peers: new Map(), env: { CHRONOS_CHIMP_ENABLE: '1' } });
    const leader = `127.0.0.1:${port}`;
    const expected: number[] = [];
    try {
      await waitFor('the node serving', 20_000, () => (node.output().includes('admin HTTP') ? true : null));
      const sql = async (statement: string): Promise<string> => {
        const run = await runChronos(['client', '--leader', leader, '--format', 'json', '-e', statement]);
        expect(run.stderr).toBe('');
        return run.stdout;
      };
      await sql("CREATE TABLE m (ts INT, v FLOAT) WITH (layout = 'columnar')");
      // Two commits of 600 rows: each folds into blocks at once (>= blockRows/8 appended rows).
      for (const from of [0, 600]) {
        const batch = values(600, from);
        expected.push(...batch);
        await sql(`INSERT INTO m VALUES ${batch.map((v, k) => `(${from + k}, ${JSON.stringify(v)})`).join(', ')}`);
      }
      const read = JSON.parse(await sql('SELECT v FROM m ORDER BY ts')) as { rows: [number][] };
      expect(read.rows.map(([v]) => v)).toEqual(expected);
    } finally {
      await stopNode(node);
    }
    const encodings = await floatEncodings(join(dataDir, 'n1', 'state'));
    expect(encodings.length).toBeGreaterThan(0);
    expect(new Set(encodings)).toEqual(new Set([7]));
  }, 60_000);
});

describe('chronos client -d with CHRONOS_CHIMP_ENABLE=1 (a single-node dir)', () => {
  it('stores FLOAT columns as Chimp blocks too, and refuses a bad value before touching the dir', async () => {
    const dataDir = join(dir, 'single');
    const env = { CHRONOS_CHIMP_ENABLE: '1' };
    const sql = async (statement: string): Promise<string> => {
      const run = await runChronos(['client', '-d', dataDir, '--format', 'json', '-e', statement], { env });
      expect(run.stderr).toBe('');
      return run.stdout;
    };
    await sql("CREATE TABLE m (ts INT, v FLOAT) WITH (layout = 'columnar')");
    const batch = values(600, 0);
    await sql(`INSERT INTO m VALUES ${batch.map((v, k) => `(${k}, ${JSON.stringify(v)})`).join(', ')}`);
    const read = JSON.parse(await sql('SELECT v FROM m ORDER BY ts')) as { rows: [number][] };
    expect(read.rows.map(([v]) => v)).toEqual(batch);
    // A single-node dir holds its LevelDB state at its top.
    const encodings = await floatEncodings(dataDir);
    expect(encodings.length).toBeGreaterThan(0);
    expect(new Set(encodings)).toEqual(new Set([7]));
    const bad = await runChronos(['client', '-d', join(dir, 'never'), '-e', 'SELECT 1'], { env: { CHRONOS_CHIMP_ENABLE: 'yes' } });
    expect(bad.stderr).toMatch(/CHRONOS_CHIMP_ENABLE must be 1, true, 0 or false, got 'yes'/);
  }, 60_000);
});
