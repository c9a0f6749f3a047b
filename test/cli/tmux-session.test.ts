import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, BUILD_TIMEOUT_MS, ensureBuilt } from './binary.js';
import { SqlClient } from '../../src/api/grpc/index.js';
import { freeNodePort } from '../helpers/ports.js';
import { health, startNode, stopNode, waitFor } from '../helpers/node-process.js';

/** A private tmux server: killing it ends only the sessions this test started. */
const SOCKET = `chronos-cli-test-${process.pid}`;
const POLL_MS = 50;
const WAIT_MS_MAX = 20_000;
/** Marks the end of the command on screen with its exit status. */
const STATUS_PREFIX = 'chronos-test-exit-status ';

type ScreenCheck = (lines: string[]) => boolean;

let dir = '';

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The whole pane, scrollback included, without the empty rows below the cursor. */
function screen(session: string): string[] {
  const lines = tmux('capture-pane', '-p', '-S', '-', '-t', session).split('\n');
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}

/** Polls the pane until `done` holds (bounded by WAIT_MS_MAX); returns the last screen. */
async function waitForScreen(session: string, done: ScreenCheck): Promise<string[]> {
  let lines: string[] = [];
  for (let waited = 0; waited < WAIT_MS_MAX; waited += POLL_MS) {
    lines = screen(session);
    if (done(lines)) return lines;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`timed out waiting; screen was:\n${lines.join('\n')}`);
}

function start(session: string, command: string): void {
  const wrapped = `${command}; echo "${STATUS_PREFIX}$?"`;
  tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '50', '-c', dir, wrapped);
  tmux('set-option', '-t', session, 'remain-on-exit', 'on');
}

const exitStatusLine = (lines: string[]): string | undefined =>
  lines.find((line) => line.startsWith(STATUS_PREFIX));

/** Types `text` as raw bytes: tmux would read a trailing `;` in an argument as a separator. */
function sendText(session: string, text: string): void {
  const hex = [...Buffer.from(text, 'utf8')].map((byte) => byte.toString(16).padStart(2, '0'));
  tmux('send-keys', '-t', session, '-H', ...hex);
}

/**
 * At a fresh prompt over a 6000-row table `big`: starts a 36-million-comparison self-join, sends
 * Ctrl-C once it runs, expects it cancelled, and a next statement answered within 5 s.
 */
async function cancelHeavyJoin(session: string, serverHasIt?: () => Promise<boolean>): Promise<void> {
  await waitForScreen(session, endsWith('chronos>'));
  const join = 'SELECT count(*) FROM big a JOIN big b ON a.v + b.v = -1;';
  sendText(session, join);
  tmux('send-keys', '-t', session, 'Enter');
  // Running once Enter moved the cursor below the echoed statement (typing alone doesn't).
  await waitForScreen(session, (l) => {
    const row = l.map((line) => line.includes(join)).lastIndexOf(true);
    return row >= 0 && Number(tmux('display', '-p', '-t', session, '#{cursor_y}').trim()) > row;
  });
  if (serverHasIt !== undefined) await waitFor('the server to take the query', 5_000, async () => ((await serverHasIt()) ? true : null));
  tmux('send-keys', '-t', session, 'C-c');
  const lines = await waitForScreen(session, shownThenPrompt('Error: statement cancelled'));
  expect(lines.some((l) => l.startsWith('Error: statement cancelled'))).toBe(true);
  const asked = Date.now();
  await type(session, 'SELECT count(*) FROM big;', shownThenPrompt('| 6000 '));
  expect(Date.now() - asked).toBeLessThan(5_000);
}

async function type(session: string, text: string, done: ScreenCheck): Promise<string[]> {
  sendText(session, text);
  tmux('send-keys', '-t', session, 'Enter');
  return waitForScreen(session, done);
}

/** The cursor sits on a fresh `prompt` line. */
const endsWith = (prompt: string): ScreenCheck => (lines) =>
  lines.at(-1)?.trimEnd() === prompt.trimEnd();

/** `text` is on screen and a fresh main prompt follows. */
const shownThenPrompt = (text: string): ScreenCheck => (lines) =>
  lines.some((line) => line.includes(text)) && endsWith('chronos>')(lines);

const available = hasTmux();

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'chronos-cli-tmux-'));
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  if (available) {
    // Ends only this test's private server (and so its sessions); none may be left.
    spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { stdio: 'ignore' });
  }
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!available)('single-node session in a real terminal (tmux)', () => {
  it("matches the guide's example session line by line", async () => {
    const session = 'guide';
    start(session, `node ${BIN} single-node --data-dir ./data`);
    const promptNumber = (count: number): ScreenCheck => (lines) =>
      endsWith('chronos>')(lines) && lines.filter((l) => l.startsWith('chronos>')).length === count;
    await waitForScreen(session, promptNumber(1));
    await type(session,
      'CREATE TABLE sensors (id INT, temp FLOAT, device STRING);', promptNumber(2));
    await type(session,
      "INSERT INTO sensors (id, temp, device) VALUES (1, 25.5, 'sensor-01');", promptNumber(3));
    await type(session, 'SELECT * FROM sensors;', promptNumber(4));
    const lines = await type(session, 'exit', (l) => exitStatusLine(l) !== undefined);
    const end = lines.indexOf('chronos> exit');
    expect(lines.slice(0, end + 1)).toEqual([
      'Welcome to Chronos SQL Database',
      'Running in single-node mode',
      "Enter SQL statements or 'exit' to quit",
      '',
      'chronos> CREATE TABLE sensors (id INT, temp FLOAT, device STRING);',
      'Table sensors created',
      '',
      "chronos> INSERT INTO sensors (id, temp, device) VALUES (1, 25.5, 'sensor-01');",
      'Inserted into sensors',
      '',
      'chronos> SELECT * FROM sensors;',
      '+----+------+-----------+',
      '| id | temp | device    |',
      '+----+------+-----------+',
      '| 1  | 25.5 | sensor-01 |',
      '+----+------+-----------+',
      '',
      'chronos> exit',
    ]);
    // After the session: only our status marker (and tmux's own "Pane is dead" notice).
    const after = lines.slice(end + 1).filter((l) => l !== '' && !l.startsWith('Pane is dead'));
    expect(after).toEqual([`${STATUS_PREFIX}0`]);
  });

  it('continuation prompt, errors, Ctrl-C, Ctrl-D; the dir stays locked while open', async () => {
    const session = 'keys';
    const data = join(dir, 'keys-data');
    start(session, `node ${BIN} single-node -d ./keys-data`);
    await waitForScreen(session, endsWith('chronos>'));
    await type(session, 'CREATE TABLE sensors (id INT);', shownThenPrompt('Table sensors created'));
    await type(session, 'SELECT id', endsWith('     ->'));
    let lines = await type(session, 'FROM sensors;', shownThenPrompt('| id |'));
    expect(lines).toContain('chronos> SELECT id');
    expect(lines).toContain('     -> FROM sensors;');
    lines = await type(session, 'SELECT nope FROM sensors;', shownThenPrompt('Error: '));
    expect(lines.filter((l) => l.startsWith('Error: ')))
      .toEqual(['Error: Unknown column nope in table sensors']);

    // Another process cannot open the same dir while the session holds it.
    const other = spawnSync(process.execPath, [BIN, 'client', '-d', data, '-e', 'SELECT 1'],
      { encoding: 'utf8', timeout: 20_000 });
    expect(other.status).toBe(1);
    expect(other.stderr).toBe(
      `Error: data dir '${data}' is in use by another process (a running node or session)\n`);

    // Ctrl-C drops the statement being typed; the next one starts fresh.
    sendText(session, 'SELECT garbage');
    tmux('send-keys', '-t', session, 'C-c');
    await waitForScreen(session, shownThenPrompt('chronos> SELECT garbage^C'));
    await type(session, 'SELECT count(*) FROM sensors;', shownThenPrompt('| count(*) |'));

    // Ctrl-D on an empty line ends the session with status 0.
    tmux('send-keys', '-t', session, 'C-d');
    lines = await waitForScreen(session, (l) => exitStatusLine(l) !== undefined);
    expect(exitStatusLine(lines)).toBe(`${STATUS_PREFIX}0`);
  });

  it('\\d lists the tables and \\d TABLE describes one, as psql does', async () => {
    const session = 'describe';
    start(session, `node ${BIN} single-node -d ./describe-data`);
    await waitForScreen(session, endsWith('chronos>'));
    await type(session, 'CREATE TABLE sensors (device STRING, ts INT NOT NULL, temp FLOAT, PRIMARY KEY (device, ts));',
      shownThenPrompt('Table sensors created'));
    let lines = await type(session, '\\d', shownThenPrompt('| sensors |'));
    expect(lines).toContain('| sensors | 3       | device, ts  | NULL | row    |');
    lines = await type(session, '\\d sensors', shownThenPrompt('| temp '));
    expect(lines).toContain('| device | STRING | true     | 1           | NULL    |');
    expect(lines).toContain('| temp   | FLOAT  | false    | NULL        | NULL    |');
    lines = await type(session, '\\x', shownThenPrompt('Error: unknown command'));
    expect(lines.some((l) => l.startsWith('Error: unknown command \\x: the REPL knows'))).toBe(true);
    lines = await type(session, '\\q', (l) => exitStatusLine(l) !== undefined);
    expect(exitStatusLine(lines)).toBe(`${STATUS_PREFIX}0`);
  });

  it('help, \\? and \\h print the help at the main prompt, in single-node and client -d', async () => {
    const session = 'help';
    start(session, `node ${BIN} single-node -d ./help-data`);
    await waitForScreen(session, endsWith('chronos>'));
    let lines = await type(session, 'help', shownThenPrompt('exit, quit, \\q'));
    const typed = lines.lastIndexOf('chronos> help');
    expect(lines.slice(typed + 1, typed + 3)).toEqual([
      "Enter SQL statements ending with ';' (a statement may span lines; several may share one).",
      '  \\d              list the tables (SHOW TABLES)',
    ]);
    expect(lines.at(-1)?.trimEnd()).toBe('chronos>');
    expect(lines.some((l) => l.startsWith('     ->'))).toBe(false);
    lines = await type(session, '\\?', (l) => l.filter((x) => x.includes('exit, quit, \\q')).length === 2 && endsWith('chronos>')(l));
    await type(session, 'exit', (l) => exitStatusLine(l) !== undefined);

    const local = 'help-client';
    start(local, `node ${BIN} client -d ./help-data`);
    await waitForScreen(local, endsWith('chronos>'));
    lines = await type(local, '\\h', shownThenPrompt('exit, quit, \\q'));
    expect(lines.some((l) => l.startsWith('Error:'))).toBe(false);
    await type(local, 'exit', (l) => exitStatusLine(l) !== undefined);
  });

  it('Ctrl-C cancels a heavy query on a real server; the next statement answers promptly', async () => {
    const port = await freeNodePort();
    const node = startNode({ id: 'n1', dataDir: join(dir, 'cancel-node'), port, peers: new Map() });
    try {
      await waitFor('the node leading', 20_000, async () => ((await health(node))?.role === 'Leader' ? true : null));
      const sql = new SqlClient({ address: `127.0.0.1:${port}`, tls: null, token: null });
      await sql.execute('CREATE TABLE big (k INT PRIMARY KEY, v INT)');
      for (let start = 0; start < 6_000; start += 1_000) {
        const values = Array.from({ length: 1_000 }, (_, i) => `(${start + i}, ${start + i})`).join(', ');
        await sql.execute(`INSERT INTO big (k, v) VALUES ${values}`);
      }
      sql.close();
      const session = 'cancel';
      start(session, `node ${BIN} client --leader 127.0.0.1:${port}`);
      const reads = async (): Promise<number> => {
        const text = await (await fetch(`http://127.0.0.1:${node.adminPort}/metrics`)).text();
        return Number(/chronos_sql_requests_total\{kind="read"\} (\d+)/.exec(text)?.[1] ?? 0);
      };
      const before = await reads();
      await cancelHeavyJoin(session, async () => (await reads()) > before);
      // The server stopped the query too (it logs each statement a cancel or limit ended).
      await waitFor('the server to stop the query', 5_000, () =>
        node.output().includes('statement ended early') && node.output().includes('CANCELLED') ? true : null);
      tmux('send-keys', '-t', session, 'C-d');
      await waitForScreen(session, (l) => exitStatusLine(l) !== undefined);
    } finally {
      await stopNode(node);
    }
  }, 60_000);

  it('Ctrl-C cancels a heavy query on a local data dir; the next statement answers promptly', async () => {
    const data = join(dir, 'cancel-local');
    const inserts = Array.from({ length: 6 }, (_, block) => 'INSERT INTO big (k, v) VALUES ' +
      Array.from({ length: 1_000 }, (_, i) => `(${block * 1_000 + i}, ${block * 1_000 + i})`).join(', '));
    const made = spawnSync('node', [BIN, 'client', '-d', data], {
      input: ['CREATE TABLE big (k INT PRIMARY KEY, v INT)', ...inserts].join(';\n') + ';\n', encoding: 'utf8',
    });
    expect(made.status).toBe(0);
    const session = 'cancel-local';
    start(session, `node ${BIN} client -d ${data}`);
    await cancelHeavyJoin(session);
    tmux('send-keys', '-t', session, 'C-d');
    await waitForScreen(session, (l) => exitStatusLine(l) !== undefined);
  }, 60_000);
});
