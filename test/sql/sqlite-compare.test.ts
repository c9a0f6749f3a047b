import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { newSession, rowsOf } from './support.js';

const hasSqlite = spawnSync('sqlite3', ['-version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'chronos-sql-cmp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function canonical(rows: readonly (readonly unknown[])[]): string[] {
  return rows
    .map((r) => JSON.stringify(r.map((v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : typeof v === 'bigint' ? Number(v) : v))))
    .sort();
}

function randomPredicate(rng: Random, depth: number): string {
  const atoms = [
    () => `g ${rng.pick(['=', '!=', '<', '<=', '>', '>='])} ${rng.between(-6, 6)}`,
    () => `v ${rng.pick(['=', '<', '>='])} ${rng.between(-20, 20)}.${rng.pick(['0', '25', '5'])}`,
    () => `s ${rng.pick(['=', '<', '>'])} '${rng.pick(['a', 'b', 'ab', 'B', ''])}'`,
    () => `s LIKE '${rng.pick(['a%', '%b', '_', '%', 'a_'])}'`,
    () => `${rng.pick(['g', 'v', 's'])} IS ${rng.chance(0.5) ? 'NOT ' : ''}NULL`,
    () => `g ${rng.chance(0.3) ? 'NOT ' : ''}IN (${rng.between(-5, 5)}, ${rng.between(-5, 5)}${rng.chance(0.3) ? ', NULL' : ''})`,
    () => `g BETWEEN ${rng.between(-6, 0)} AND ${rng.between(0, 6)}`,
    () => `id % ${rng.between(2, 5)} = 0`,
    () => `g * 2 + 1 > v`,
  ];
  if (depth <= 0 || rng.chance(0.4)) return rng.pick(atoms)();
  const form = rng.int(3);
  if (form === 0) return `NOT (${randomPredicate(rng, depth - 1)})`;
  return `(${randomPredicate(rng, depth - 1)} ${form === 1 ? 'AND' : 'OR'} ${randomPredicate(rng, depth - 1)})`;
}

function randomQuery(rng: Random): string {
  const where = rng.chance(0.8) ? ` WHERE ${randomPredicate(rng, 3)}` : '';
  return rng.pick([
    () => `SELECT id, g, v, s FROM t${where}`,
    () => `SELECT g, count(*), sum(v), min(s), max(id), avg(g), count(s) FROM t${where} GROUP BY g`,
    () => `SELECT s, count(*), sum(g), max(v) FROM t${where} GROUP BY s HAVING count(*) > 1`,
    () => `SELECT DISTINCT s FROM t${where}`,
    () => `SELECT id, g * 2 + 1, v - g, g / 2, id % 3 FROM t${where}`,
    () => `SELECT count(*), sum(id), min(v), max(s) FROM t${where}`,
    () => `SELECT t.id, u.w FROM t JOIN u USING (g)${where.replace(/\b(g|v|s)\b/g, 't.$1')}`,
  ])();
}

describe('results match sqlite3 on random SELECTs', () => {
  it.skipIf(!hasSqlite)('300 queries over the same data', async () => {
    const rng = new Random(424242);
    const rows: string[] = [];
    for (let id = 1; id <= 150; id++) {
      const g = rng.chance(0.15) ? 'NULL' : String(rng.between(-5, 5));
      const v = rng.chance(0.15) ? 'NULL' : `${rng.between(-20, 20)}.${rng.pick(['0', '25', '5', '75'])}`;
      const s = rng.chance(0.15) ? 'NULL' : `'${rng.pick(['a', 'b', 'ab', 'B', '', 'ba'])}'`;
      rows.push(`(${id}, ${g}, ${v}, ${s})`);
    }
    const uRows = Array.from({ length: 12 }, (_, i) => `(${i - 6}, ${i * 10})`);
    const setup = [
      'CREATE TABLE t (id INT PRIMARY KEY, g INT, v FLOAT, s STRING)',
      `INSERT INTO t VALUES ${rows.join(', ')}`,
      'CREATE TABLE u (g INT, w INT)',
      `INSERT INTO u VALUES ${uRows.join(', ')}`,
    ];
    const { session } = await newSession();
    for (const sql of setup) await session.execute(sql);
    const db = join(dir, 'cmp.db');
    execFileSync('sqlite3', [db], { input: `${setup.map((s) => s.replace('STRING', 'TEXT')).join(';\n')};\n` });
    let nonEmpty = 0;
    for (let q = 0; q < 300; q++) {
      const sql = randomQuery(rng);
      const ours = rowsOf(await session.execute(sql));
      const out = execFileSync('sqlite3', ['-json', '-cmd', 'PRAGMA case_sensitive_like=ON', db, sql]).toString().trim();
      const theirs = out === '' ? [] : (JSON.parse(out) as Record<string, unknown>[]).map((r) => Object.values(r));
      expect(canonical(ours), sql).toEqual(canonical(theirs));
      if (ours.length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(200);
  });
});
