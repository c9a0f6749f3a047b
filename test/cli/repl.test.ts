import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runRepl, SINGLE_NODE_BANNER } from '../../src/cli/repl.js';
import { runStatements } from '../../src/cli/run-statements.js';
import { REPL_HELP } from '../../src/cli/meta-commands.js';
import { BufferIo } from './buffer-io.js';
import { RecordingTarget } from './recording-target.js';

const opened: RecordingTarget[] = [];
afterEach(async () => {
  for (const target of opened.splice(0)) await target.close();
});

/** The real engine in a temp dir, closed after the test. */
async function engine(guideRow = true): Promise<RecordingTarget> {
  const target = await RecordingTarget.open({ guideRow });
  opened.push(target);
  return target;
}

const GUIDE_TABLE = [
  '+----+------+-----------+',
  '| id | temp | device    |',
  '+----+------+-----------+',
  '| 1  | 25.5 | sensor-01 |',
  '+----+------+-----------+',
];

/** Feeds `lines` to a non-terminal REPL and collects stdout and stderr. */
async function repl(
  lines: string[], end = true, guideRow = true,
): Promise<{ out: string; err: string; target: RecordingTarget }> {
  const target = await engine(guideRow);
  const input = new PassThrough();
  const output = new PassThrough();
  let out = '';
  output.on('data', (chunk: Buffer) => { out += chunk.toString('utf8'); });
  const io = new BufferIo();
  const done = runRepl(target, {
    banner: SINGLE_NODE_BANNER, format: 'table', input, output, stderr: io.stderr, terminal: false,
  });
  input.write(lines.map((l) => l + '\n').join(''));
  if (end) input.end();
  expect(await done).toBe(0);
  return { out, err: io.err, target };
}

describe('REPL', () => {
  it("prints the guide's single-node session", async () => {
    const { out } = await repl([
      'CREATE TABLE sensors (id INT, temp FLOAT, device STRING);',
      "INSERT INTO sensors (id, temp, device) VALUES (1, 25.5, 'sensor-01');",
      'SELECT * FROM sensors;',
      'exit',
    ], false, false);
    // Not a terminal, so input is not echoed: the prompt is followed directly by the output.
    expect(out.split('\n')).toEqual([
      'Welcome to Chronos SQL Database',
      'Running in single-node mode',
      "Enter SQL statements or 'exit' to quit",
      '',
      'chronos> Table sensors created',
      '',
      'chronos> Inserted into sensors',
      '',
      'chronos> ' + GUIDE_TABLE[0],
      ...GUIDE_TABLE.slice(1),
      '',
      'chronos> ',
    ]);
  });

  it('continues a statement over lines with the continuation prompt', async () => {
    const { out, target } = await repl(['SELECT *', 'FROM sensors', ';', 'quit;']);
    expect(target.executed).toEqual(['SELECT *\nFROM sensors']);
    expect(out).toContain('chronos>      ->      -> +----+');
  });

  it('keeps going after an error and prints it on stderr', async () => {
    const { out, err, target } = await repl(['SELEC BOOM;', 'SELECT * FROM sensors;']);
    expect(err).toMatch(/^Error: Parse error: .+\n$/);
    expect(target.executed).toEqual(['SELEC BOOM', 'SELECT * FROM sensors']);
    expect(out).toContain(GUIDE_TABLE[3]);
  });

  it('runs several statements typed on one line, each followed by a blank line', async () => {
    const { out } = await repl(['CREATE TABLE s (a INT); INSERT INTO s VALUES (1);']);
    expect(out).toContain('chronos> Table s created\n\nInserted into s\n\nchronos> ');
  });

  it('ends at end of input (Ctrl-D) and ignores blank lines', async () => {
    const { out, target } = await repl(['', '   ']);
    expect(target.executed).toEqual([]);
    expect(out.endsWith('chronos> chronos> chronos> ')).toBe(true);
  });

  it('exit inside a statement is SQL text, not a command, with a hint; \\q leaves', async () => {
    const { out, target, err } = await repl(['SELECT', 'exit', ';']);
    expect(target.executed).toEqual(['SELECT\nexit']);
    expect(err).toMatch(/^Error: /); // `SELECT exit` names an unknown column
    expect(out).toContain('(the statement above is not finished: end it with ; to run it, or leave with \\q or Ctrl-D)');
    const left = await repl(['SELECT * FROM sensors', '\\q', 'SELECT 1;']);
    expect(left.target.executed).toEqual([]);
    expect(left.out).toContain('(the unfinished statement was not run)');
    // Inside a quote the statement opened, \q is the string's text.
    const quoted = await repl(["SELECT 'a", '\\q', "';"]);
    expect(quoted.target.executed).toEqual(["SELECT 'a\n\\q\n'"]);
  });

  it('\\d lists the tables and \\d TABLE describes one; other backslash commands are refused', async () => {
    const { out, err, target } = await repl(['\\d', '\\d sensors;', '\\x', 'SELECT', '\\d', ';']);
    expect(target.executed.slice(0, 2)).toEqual(['SHOW TABLES', 'DESCRIBE sensors']);
    expect(out).toContain('| sensors | 3       | NULL        | NULL | row    |');
    expect(out).toContain('| device | STRING | false    | NULL        | NULL    |');
    // Inside a statement a backslash line is its text (and so a parse error), not a command.
    expect(target.executed[2]).toBe('SELECT\n\\d');
    expect(err.split('\n')[0]).toBe('Error: unknown command \\x: the REPL knows \\d (list tables), \\d TABLE (describe it), \\? (help) and \\q (quit)');
  });
});

describe('help in the REPL', () => {
  it('help, \\? and \\h at the main prompt print the help; inside a statement help is its text', async () => {
    const { out, err, target } = await repl(['help', '\\?;', '\\h', 'SELECT', 'help', ';']);
    expect(out.split(REPL_HELP[0] ?? '').length - 1).toBe(3);
    expect(out).toContain('  exit, quit, \\q  leave (or Ctrl-D)');
    expect(target.executed).toEqual(['SELECT\nhelp']);
    expect(err).toMatch(/^Error: /); // `SELECT help` names an unknown column
  });
});

describe('runStatements (-e and piped stdin)', () => {
  it('runs all statements in order', async () => {
    const target = await engine(false);
    const io = new BufferIo();
    const code = await runStatements(target,
      "CREATE TABLE sensors (id INT, temp FLOAT, device STRING);\nINSERT INTO sensors VALUES (1, 25.5, 'sensor-01');\nSELECT * FROM sensors",
      'table', io);
    expect(code).toBe(0);
    expect(io.out)
      .toBe(['Table sensors created', 'Inserted into sensors', ...GUIDE_TABLE, ''].join('\n'));
    expect(io.err).toBe('');
  });

  it('stops at the first error with exit 1; statements before stay done', async () => {
    const target = await engine();
    const io = new BufferIo();
    const script = "INSERT INTO sensors VALUES (2, 1.0, 'x'); SELEC BOOM; INSERT INTO sensors VALUES (3, 1.0, 'y');";
    const code = await runStatements(target, script, 'json', io);
    expect(code).toBe(1);
    expect(target.executed).toEqual(["INSERT INTO sensors VALUES (2, 1.0, 'x')", 'SELEC BOOM']);
    expect(io.out).toBe('{"message":"Inserted into sensors","rows_affected":1}\n');
    expect(io.err).toMatch(/^Error: Parse error: .+\n$/);
    const after = new BufferIo();
    await runStatements(target, 'SELECT id FROM sensors ORDER BY id', 'csv', after);
    expect(after.out).toBe('id\n1\n2\n'); // the first INSERT stayed, the third never ran
  });

  it('csv prints only row results', async () => {
    const target = await engine();
    const io = new BufferIo();
    const script = "INSERT INTO sensors VALUES (2, NULL, ''); SELECT * FROM sensors ORDER BY id;";
    expect(await runStatements(target, script, 'csv', io)).toBe(0);
    expect(io.out).toBe('id,temp,device\n1,25.5,sensor-01\n2,,""\n');
  });

  it('refuses an unterminated string before running anything', async () => {
    const target = await engine();
    const io = new BufferIo();
    const script = "INSERT INTO s VALUES (1);\nSELECT 'x";
    expect(await runStatements(target, script, 'table', io)).toBe(1);
    expect(target.executed).toEqual([]);
    expect(io.err).toBe('Error: unterminated quoted string starting on line 2\n');
  });

  it('empty input does nothing and succeeds', async () => {
    const target = await engine();
    const io = new BufferIo();
    expect(await runStatements(target, '  -- just a comment\n', 'table', io)).toBe(0);
    expect(target.executed).toEqual([]);
    expect(io.out).toBe('');
  });
});
