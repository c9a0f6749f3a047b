import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portIsFree } from './ports.js';

/**
 * A throwaway PostgreSQL server on loopback for differential tests: its own data dir under the
 * temp dir, trust auth, the C locale (strings compare by bytes, as ours do), no fsync. Run as
 * the `postgres` user when the tests run as root, since initdb refuses root.
 */
export interface Postgres {
  /** Every statement's answer: rows of text fields (NULL as null), or an error message. */
  answers(statements: readonly string[]): PostgresAnswer[];
  stop(): void;
}

export type PostgresAnswer = { readonly rows: (string | null)[][] } | { readonly error: string };

/** The directory holding initdb, pg_ctl and psql of the newest installed PostgreSQL, if any. */
function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (['initdb', 'pg_ctl', 'psql'].every((tool) => existsSync(join(bin, tool)))) return bin;
  }
  return undefined;
}

/**
 * The bin directory when a throwaway server can run here: PostgreSQL is installed, and under
 * root the `postgres` user exists to run it.
 */
export function runnablePostgresBin(): string | undefined {
  const bin = postgresBin();
  if (bin === undefined) return undefined;
  if (process.getuid?.() !== 0) return bin;
  return spawnSync('runuser', ['-u', 'postgres', '--', 'true']).status === 0 ? bin : undefined;
}

/** PostgreSQL's names for our column types, in CREATE TABLE, ALTER TABLE ADD and CAST. */
export function postgresTypeNames(sql: string): string {
  return sql.replace(/\bSTRING\b/g, 'text').replace(/\bFLOAT\b/g, 'double precision').replace(/\bINT\b/g, 'bigint');
}

const FIELD = '\x1f';
/** Ends every row but a result's last (psql's record separator), so an empty string is a row too. */
const RECORD = '\x1d';
const NULL_TEXT = '\x1e';
const END = '~~end';
const FAILED = '~~failed';

function asServerUser(): { prefix: string[]; uid: number | null } {
  if (process.getuid?.() !== 0) return { prefix: [], uid: null };
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  return { prefix: ['runuser', '-u', 'postgres', '--'], uid };
}

async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    // Between the node ports (20000-31999 with their admin ports) and the ephemeral range (32768 up).
    const port = 32_000 + Math.floor(Math.random() * 700);
    if (await portIsFree(port)) return port;
  }
  throw new Error('no free port for PostgreSQL in 100 attempts');
}

/** Starts a server with initdb's defaults but for the settings above; throws with its log if it cannot. */
export async function startPostgres(bin: string): Promise<Postgres> {
  const dir = mkdtempSync(join(tmpdir(), 'chronos-pg-'));
  const { prefix, uid } = asServerUser();
  if (uid !== null) chownSync(dir, uid, -1);
  const run = (tool: string, args: string[]): void => {
    const [command, ...rest] = [...prefix, join(bin, tool), ...args];
    const result = spawnSync(command as string, rest, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${tool} failed: ${result.stderr}${result.stdout}`);
  };
  const data = join(dir, 'data');
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '--locale=C', '--encoding=UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  run('pg_ctl', ['-D', data, '-o', options, '-w', '-l', join(dir, 'log'), 'start']);
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  process.once('exit', stop);
  return { answers: (statements) => psqlAnswers(bin, port, statements), stop };
}

/** One psql process runs every statement; after each, a line says whether it failed, then a marker. */
function psqlAnswers(bin: string, port: number, statements: readonly string[]): PostgresAnswer[] {
  const script = statements
    .map((sql) => `${sql};\n\\if :ERROR\n\\echo ${FAILED} :'LAST_ERROR_MESSAGE'\n\\endif\n\\echo ${END}\n`)
    .join('');
  const out = execFileSync(join(bin, 'psql'), [
    '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-X', '-q', '-A', '-t',
    '-F', FIELD, '-R', `${RECORD}\n`, '-P', `null=${NULL_TEXT}`, '-v', 'ON_ERROR_STOP=0',
  ], { input: script, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'ignore'] }).toString();
  const answers: PostgresAnswer[] = [];
  let rows: (string | null)[][] = [];
  let error: string | null = null;
  // Tuples only: psql prints nothing but rows and our lines, and no row at all for an empty
  // result, so every other line is a row, an empty one included.
  for (const line of out.split('\n').slice(0, -1)) {
    if (line === END) {
      answers.push(error === null ? { rows } : { error });
      rows = [];
      error = null;
    } else if (line.startsWith(FAILED)) {
      error = line.slice(FAILED.length + 1);
    } else {
      const record = line.endsWith(RECORD) ? line.slice(0, -1) : line;
      rows.push(record.split(FIELD).map((field) => (field === NULL_TEXT ? null : field)));
    }
  }
  if (answers.length !== statements.length) {
    throw new Error(`psql answered ${answers.length} of ${statements.length} statements`);
  }
  return answers;
}
