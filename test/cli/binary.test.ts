import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatementResult } from '../../src/sql/result.js';
import { ChronosError } from '../../src/lib/errors.js';
import type { GrpcServer } from '../../src/transport/index.js';
import { nodeGrpcServer } from '../../src/cli/grpc-endpoint.js';
import { BUILD_TIMEOUT_MS, ROOT, ensureBuilt, runChronos, runNode } from './binary.js';

const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as unknown;
const version = (packageJson as { version: string }).version;

let server: GrpcServer;
let port = 0;
const received: string[] = [];

function message(text: string, rowsAffected: number): StatementResult {
  return { kind: 'message', message: text, rowsAffected };
}

async function sql(statement: string): Promise<StatementResult> {
  received.push(statement);
  if (statement.includes('BOOM')) throw new ChronosError('PARSE_ERROR', 'Parse error: near BOOM');
  if (statement.startsWith('CREATE')) return message('Table t created', 0);
  if (statement.startsWith('INSERT')) return message('Inserted into t', 1);
  return {
    kind: 'rows', columns: ['a', 'b'], columnTypes: ['INT', 'STRING'], rows: [[1, ''], [2, null]],
  };
}

beforeAll(async () => {
  ensureBuilt();
  server = nodeGrpcServer({ host: '127.0.0.1', port: 0, tls: null, raft: async () => null, sql });
  port = (await server.start()).port;
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await server.stop(1000);
});

const usage = (text: string, command: string): string =>
  `Error: ${text} (see 'chronos ${command} --help')\n`;

describe('bin/chronos', () => {
  it('--version prints the package.json version', async () => {
    const run = await runChronos(['--version']);
    expect(run).toEqual({ code: 0, stdout: `chronos ${version}\n`, stderr: '' });
  });

  it('dist/cli/main.js runs as an entry script too (npm start)', async () => {
    const run = await runNode([join(ROOT, 'dist', 'cli', 'main.js'), '--version']);
    expect(run).toEqual({ code: 0, stdout: `chronos ${version}\n`, stderr: '' });
  });

  const flagErrors: [string[], string][] = [
    [['node'], usage('--id is required', 'node')],
    [['node', '-i', 'n1', '--peers', 'bad'], usage("--peers: 'bad' is not id=HOST:PORT", 'node')],
    [['node', '-i', 'n1', '--bogus'], usage("unknown flag '--bogus' for 'chronos node'", 'node')],
    [['client', '--format', 'xml', '-d', 'x'],
      usage("--format 'xml' is not one of table, json, csv", 'client')],
    [['snapshot', 'restore', '-d', 'x'], usage('--input is required', 'snapshot restore')],
    [['frob'], "Error: unknown command 'frob' (see 'chronos --help')\n"],
  ];
  for (const [argv, stderr] of flagErrors) {
    it(`flag error: chronos ${argv.join(' ')}`, async () => {
      const run = await runChronos(argv);
      expect(run).toEqual({ code: 2, stdout: '', stderr });
    });
  }

  const tunableErrors: [Record<string, string>, string][] = [
    [{ CHRONOS_READ_LEASE: '2' }, "CHRONOS_READ_LEASE must be 0 or 1, got '2'"],
    [{ CHRONOS_READ_LEASE: 'yes' }, "CHRONOS_READ_LEASE must be 0 or 1, got 'yes'"],
    [{ CHRONOS_SNAPSHOT_EVERY_MB: 'abc' }, "CHRONOS_SNAPSHOT_EVERY_MB must be an integer >= 1, got 'abc'"],
    [{ CHRONOS_SNAPSHOT_EVERY_MB: '0' }, "CHRONOS_SNAPSHOT_EVERY_MB must be an integer >= 1, got '0'"],
  ];
  for (const [env, message] of tunableErrors) {
    it(`tunable error: ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')} chronos node`, async () => {
      // Refused before anything is opened: the dir named is never created.
      const run = await runChronos(['node', '-i', 'n1', '-d', join(ROOT, 'never-created'), '-a', '127.0.0.1:47999'], { env });
      expect(run).toEqual({ code: 2, stdout: '', stderr: usage(message, 'node') });
      expect(existsSync(join(ROOT, 'never-created'))).toBe(false);
    });
  }

  it('node --help prints the guide flags', async () => {
    const run = await runChronos(['node', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '      --ttl-cleanup-interval-secs <SECS>  TTL cleanup interval [default: 3600]\n');
  });

  it('admin status on a closed port: one line, exit 1', async () => {
    const run = await runChronos(['admin', 'status', '--http', '127.0.0.1:1']);
    expect(run).toEqual({
      code: 1, stdout: '', stderr: 'Error: cannot reach http://127.0.0.1:1/health: ECONNREFUSED\n',
    });
  });

  it('client --leader reads piped stdin, runs every statement, no banner or prompt', async () => {
    received.length = 0;
    const input =
      "CREATE TABLE t (a INT, b STRING);\nINSERT INTO t VALUES (1, '');\nSELECT * FROM t;\n";
    const run = await runChronos(['client', '--leader', `127.0.0.1:${port}`], { input });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe([
      'Table t created', 'Inserted into t', '+---+------+', '| a | b    |', '+---+------+',
      '| 1 |      |', '| 2 | NULL |', '+---+------+', '',
    ].join('\n'));
    expect(received).toEqual(
      ['CREATE TABLE t (a INT, b STRING)', "INSERT INTO t VALUES (1, '')", 'SELECT * FROM t']);
  });

  it('stdin stops at the first error with exit 1', async () => {
    received.length = 0;
    const run = await runChronos(['client', '--leader', `127.0.0.1:${port}`, '--format=csv'],
      { input: 'SELECT 1; SELECT BOOM; SELECT 2;' });
    expect(run).toEqual({
      code: 1, stdout: 'a,b\n1,""\n2,\n', stderr: 'Error: Parse error: near BOOM\n',
    });
    expect(received).toEqual(['SELECT 1', 'SELECT BOOM']);
  });

  it('-e with several statements and --format json', async () => {
    const run = await runChronos(['client', '--leader', `127.0.0.1:${port}`, '--format', 'json',
      '-e', 'INSERT INTO t VALUES (3, NULL); SELECT * FROM t']);
    expect(run).toEqual({
      code: 0, stderr: '',
      stdout: '{"message":"Inserted into t","rows_affected":1}\n' +
        '{"columns":["a","b"],"rows":[[1,""],[2,null]]}\n',
    });
  });
});
