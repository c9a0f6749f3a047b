import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, runChronos } from './binary.js';

let dir = '';

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'chronos-cli-local-'));
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const GUIDE_TABLE = [
  '+----+------+-----------+',
  '| id | temp | device    |',
  '+----+------+-----------+',
  '| 1  | 25.5 | sensor-01 |',
  '+----+------+-----------+',
];

describe('bin/chronos on a local data dir (real storage and SQL)', () => {
  it("client -d -e runs the guide's statements into a new dir", async () => {
    const data = join(dir, 'guide');
    const run = await runChronos(['client', '-d', data, '-e',
      'CREATE TABLE sensors (id INT, temp FLOAT, device STRING); ' +
      "INSERT INTO sensors (id, temp, device) VALUES (1, 25.5, 'sensor-01'); " +
      'SELECT * FROM sensors;']);
    expect(run).toEqual({
      code: 0, stderr: '',
      stdout: ['Table sensors created', 'Inserted into sensors', ...GUIDE_TABLE, ''].join('\n'),
    });
    // Durable: a second process sees the row.
    const again = await runChronos(
      ['client', '--data-dir', data, '--format', 'json', '-e', 'SELECT * FROM sensors']);
    expect(again).toEqual({
      code: 0, stderr: '',
      stdout: '{"columns":["id","temp","device"],"rows":[[1,25.5,"sensor-01"]]}\n',
    });
  });

  it('piped stdin stops at the first error with exit 1; earlier statements stay done', async () => {
    const data = join(dir, 'stdin');
    const run = await runChronos(['client', '-d', data, '--format', 'json'], {
      input: 'CREATE TABLE t (id INT PRIMARY KEY, name STRING, ok BOOLEAN, v FLOAT);\n' +
        "INSERT INTO t VALUES (1, 'a;b', TRUE, 0.1), (2, '', FALSE, NULL);\n" +
        '-- a comment; with a semicolon\n' +
        'INSERT INTO t VALUES (1, \'dup\', TRUE, 1.0);\n' +
        "INSERT INTO t VALUES (3, 'never', TRUE, 1.0);\n",
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('{"message":"Table t created","rows_affected":0}\n' +
      '{"message":"Inserted into t","rows_affected":2}\n');
    expect(run.stderr).toMatch(/^Error: .+\n$/);
    const after = await runChronos(
      ['client', '-d', data, '--format', 'csv', '-e', 'SELECT * FROM t ORDER BY id']);
    expect(after).toEqual(
      { code: 0, stderr: '', stdout: 'id,name,ok,v\n1,a;b,true,0.1\n2,"",false,\n' });
  });

  it("a parse error in a piped script or -e names the script's line and column, not the statement's", async () => {
    const piped = await runChronos(['client', '-d', join(dir, 'positions')], {
      input: 'CREATE TABLE t (a INT);\n-- a comment\nINSERT INTO t VALUES (1); /* two\nlines */ SELECT a\n' +
        '  FROM t /* x */ WHERE a = 1; SELECT a FORM t;\n',
    });
    expect(piped.code).toBe(1);
    expect(piped.stderr).toBe("Error: Parse error: unexpected 't' at line 5, column 45\n");
    const inline = await runChronos(['client', '-d', join(dir, 'positions'), '-e', 'SELECT 1; SELECT 2 FORM t']);
    expect(inline.stderr).toBe("Error: Parse error: unexpected 't' at line 1, column 25\n");
  });

  it('INT beyond 2^53 is a string in json, an integral FLOAT a number', async () => {
    const data = join(dir, 'big');
    const run = await runChronos(['client', '-d', data, '--format', 'json', '-e',
      'CREATE TABLE b (i INT, f FLOAT); ' +
      'INSERT INTO b VALUES (9223372036854775807, 30.0); SELECT * FROM b']);
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n').at(-2))
      .toBe('{"columns":["i","f"],"rows":[["9223372036854775807",30]]}');
  });

  it('single-node with piped stdin prints results without banner or prompt', async () => {
    const data = join(dir, 'single');
    const run = await runChronos(['single-node', '--data-dir', data], {
      input: 'CREATE TABLE sensors (id INT, temp FLOAT, device STRING);\n' +
        "INSERT INTO sensors VALUES (1, 25.5, 'sensor-01');\nSELECT * FROM sensors WHERE id = 2;\n",
    });
    expect(run).toEqual({
      code: 0, stderr: '',
      stdout: ['Table sensors created', 'Inserted into sensors', '+----+------+--------+',
        '| id | temp | device |', '+----+------+--------+', '(0 rows)', ''].join('\n'),
    });
  });

  it('piped stdin reads like the REPL: \\d runs, exit ends the script with 0', async () => {
    const data = join(dir, 'piped-exit');
    const run = await runChronos(['client', '-d', data, '--format', 'csv'], {
      input: 'CREATE TABLE x (a INT);\nINSERT INTO x VALUES (1); -- done\n\\d\n' +
        "SELECT 'exit\nquit;' AS s;\nexit\nINSERT INTO x VALUES (2);\n",
    });
    expect(run).toEqual({
      code: 0, stderr: '',
      stdout: 'table,columns,primary_key,ttl,layout\nx,1,,,row\ns\n"exit\nquit;"\n',
    });
    const after = await runChronos(
      ['client', '-d', data, '--format', 'csv', '-e', 'SELECT count(*) AS n FROM x']);
    expect(after).toEqual({ code: 0, stderr: '', stdout: 'n\n1\n' });
  });

  it("a cluster dir names the node dir to give; a node dir is read-only", async () => {
    const cluster = join(dir, 'cluster');
    mkdirSync(join(cluster, 'node1', 'state'), { recursive: true });
    mkdirSync(join(cluster, 'node1', 'wal'), { recursive: true });
    const wrong = await runChronos(['client', '-d', cluster, '-e', 'SELECT 1']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(
      `Error: '${cluster}' holds cluster nodes (node1); give one node's dir, e.g. ` +
      `${join(cluster, 'node1')}\n`);
    const write = await runChronos(
      ['client', '-d', join(cluster, 'node1'), '-e', 'CREATE TABLE x (a INT)']);
    expect(write.code).toBe(1);
    expect(write.stderr).toMatch(/is a cluster node's data dir, opened read-only/);
  });
});
