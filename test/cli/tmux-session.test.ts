import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ensureBuilt } from './binary.js';

/** A private tmux server: killing it ends only the sessions this test started. */
const SOCKET = `chronos-cli-test-${process.pid}`;
const POLL_MS = 50;
const WAIT_MS_MAX = 20_000;

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

function screen(session: string): string[] {
  const lines = tmux('capture-pane', '-p', '-t', session).split('\n');
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}

/** Polls the pane until `done` holds (bounded by WAIT_MS_MAX); returns the last screen. */
async function waitForScreen(session: string, done: (lines: string[]) => boolean): Promise<string[]> {
  let lines: string[] = [];
  for (let waited = 0; waited < WAIT_MS_MAX; waited += POLL_MS) {
    lines = screen(session);
    if (done(lines)) return lines;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`timed out waiting; screen was:\n${lines.join('\n')}`);
}

function start(session: string, command: string): void {
  tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '50', '-c', dir, command);
  tmux('set-option', '-t', session, 'remain-on-exit', 'on');
}

async function type(session: string, text: string, expectLast: (lines: string[]) => boolean): Promise<string[]> {
  tmux('send-keys', '-t', session, '-l', text);
  tmux('send-keys', '-t', session, 'Enter');
  return waitForScreen(session, expectLast);
}

const available = hasTmux();

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'chronos-cli-tmux-'));
});

afterAll(() => {
  if (available) {
    try { tmux('kill-server'); } catch { /* no server left */ }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!available)('single-node session in a real terminal (tmux)', () => {
  it("matches the guide's example session line by line", async () => {
    const session = 'guide';
    start(session, `node ${BIN} single-node --data-dir ./data`);
    const isPromptAfter = (count: number) => (lines: string[]): boolean =>
      lines.at(-1)?.trimEnd() === 'chronos>' && lines.filter((l) => l.startsWith('chronos>')).length === count;
    await waitForScreen(session, isPromptAfter(1));
    await type(session, 'CREATE TABLE sensors (id INT, temp FLOAT, device STRING);', isPromptAfter(2));
    await type(session, "INSERT INTO sensors (id, temp, device) VALUES (1, 25.5, 'sensor-01');", isPromptAfter(3));
    await type(session, 'SELECT * FROM sensors;', isPromptAfter(4));
    const lines = await type(session, 'exit', (l) => l.some((line) => line.startsWith('Pane is dead')));
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
    expect(lines.slice(end + 1).filter((l) => l !== '' && !l.startsWith('Pane is dead'))).toEqual([]);
    expect(lines.find((l) => l.startsWith('Pane is dead'))).toMatch(/status 0/);
  });

  it('continuation prompt, errors, Ctrl-C and Ctrl-D; the dir stays locked while open', async () => {
    const session = 'keys';
    start(session, `node ${BIN} single-node -d ./data`);
    const endsWith = (text: string) => (lines: string[]): boolean => lines.at(-1)?.trimEnd() === text.trimEnd();
    await waitForScreen(session, endsWith('chronos>'));
    await type(session, 'SELECT id', endsWith('     ->'));
    let lines = await type(session, 'FROM sensors;', (l) => l.includes('| id |') && endsWith('chronos>')(l));
    expect(lines).toContain('chronos> SELECT id');
    expect(lines).toContain('     -> FROM sensors;');
    lines = await type(session, 'SELECT nope FROM sensors;', (l) => l.some((x) => x.startsWith('Error: ')) && endsWith('chronos>')(l));
    expect(lines.filter((l) => l.startsWith('Error: '))).toEqual(['Error: Unknown column nope in table sensors']);

    // Another process cannot open the same dir while the session holds it.
    const other = spawnSync(process.execPath, [BIN, 'client', '-d', join(dir, 'data'), '-e', 'SELECT 1'],
      { encoding: 'utf8', timeout: 20_000 });
    expect(other.status).toBe(1);
    expect(other.stderr).toBe(`Error: data dir '${join(dir, 'data')}' is in use by another process ` +
      '(a running node or session)\n');

    // Ctrl-C drops the statement being typed; the next one starts fresh.
    tmux('send-keys', '-t', session, '-l', 'SELECT garbage');
    tmux('send-keys', '-t', session, 'C-c');
    lines = await waitForScreen(session, (l) => l.includes('chronos> SELECT garbage^C') && endsWith('chronos>')(l));
    await type(session, 'SELECT count(*) FROM sensors;', (l) => l.includes('| count(*) |') && endsWith('chronos>')(l));

    // Ctrl-D on an empty line ends the session with status 0.
    tmux('send-keys', '-t', session, 'C-d');
    lines = await waitForScreen(session, (l) => l.some((x) => x.startsWith('Pane is dead')));
    expect(lines.find((l) => l.startsWith('Pane is dead'))).toMatch(/status 0/);
  });
});
