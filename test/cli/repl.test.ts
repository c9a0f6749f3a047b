import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runRepl, SINGLE_NODE_BANNER } from '../../src/cli/repl.js';
import { runStatements } from '../../src/cli/run-statements.js';
import { BufferIo, FakeTarget } from './fake-target.js';

const GUIDE_TABLE = [
  '+----+------+-----------+',
  '| id | temp | device    |',
  '+----+------+-----------+',
  '| 1  | 25.5 | sensor-01 |',
  '+----+------+-----------+',
];

/** Feeds `lines` to a non-terminal REPL and collects stdout and stderr. */
async function repl(
  lines: string[], end = true,
): Promise<{ out: string; err: string; target: FakeTarget }> {
  const target = new FakeTarget();
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
    ], false);
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
    const { out, err, target } = await repl(['SELECT BOOM;', 'SELECT 1;']);
    expect(err).toBe("Error: Parse error: unexpected 'BOOM' at line 1 column 8\n");
    expect(target.executed).toEqual(['SELECT BOOM', 'SELECT 1']);
    expect(out).toContain(GUIDE_TABLE[3]);
  });

  it('runs several statements typed on one line, each followed by a blank line', async () => {
    const { out } = await repl(['CREATE TABLE s (a INT); INSERT INTO s VALUES (1);']);
    expect(out).toContain('chronos> Table sensors created\n\nInserted into sensors\n\nchronos> ');
  });

  it('ends at end of input (Ctrl-D) and ignores blank lines', async () => {
    const { out, target } = await repl(['', '   ']);
    expect(target.executed).toEqual([]);
    expect(out.endsWith('chronos> chronos> chronos> ')).toBe(true);
  });

  it('exit inside a statement is SQL text, not a command', async () => {
    const { target } = await repl(['SELECT', 'exit', ';']);
    expect(target.executed).toEqual(['SELECT\nexit']);
  });
});

describe('runStatements (-e and piped stdin)', () => {
  it('runs all statements in order', async () => {
    const target = new FakeTarget();
    const io = new BufferIo();
    const code = await runStatements(target,
      'CREATE TABLE sensors (id INT);\nINSERT INTO sensors VALUES (1);\nSELECT * FROM sensors',
      'table', io);
    expect(code).toBe(0);
    expect(io.out)
      .toBe(['Table sensors created', 'Inserted into sensors', ...GUIDE_TABLE, ''].join('\n'));
    expect(io.err).toBe('');
  });

  it('stops at the first error with exit 1; statements before stay done', async () => {
    const target = new FakeTarget();
    const io = new BufferIo();
    const script = 'INSERT INTO s VALUES (1); SELECT BOOM; INSERT INTO s VALUES (2);';
    const code = await runStatements(target, script, 'json', io);
    expect(code).toBe(1);
    expect(target.executed).toEqual(['INSERT INTO s VALUES (1)', 'SELECT BOOM']);
    expect(io.out).toBe('{"message":"Inserted into sensors","rows_affected":1}\n');
    expect(io.err).toBe("Error: Parse error: unexpected 'BOOM' at line 1 column 8\n");
  });

  it('csv prints only row results', async () => {
    const target = new FakeTarget();
    const io = new BufferIo();
    expect(await runStatements(target, 'INSERT INTO s VALUES (1); SELECT 1;', 'csv', io)).toBe(0);
    expect(io.out).toBe('id,temp,device\n1,25.5,sensor-01\n');
  });

  it('refuses an unterminated string before running anything', async () => {
    const target = new FakeTarget();
    const io = new BufferIo();
    const script = "INSERT INTO s VALUES (1);\nSELECT 'x";
    expect(await runStatements(target, script, 'table', io)).toBe(1);
    expect(target.executed).toEqual([]);
    expect(io.err).toBe('Error: unterminated quoted string starting on line 2\n');
  });

  it('empty input does nothing and succeeds', async () => {
    const target = new FakeTarget();
    const io = new BufferIo();
    expect(await runStatements(target, '  -- just a comment\n', 'table', io)).toBe(0);
    expect(target.executed).toEqual([]);
    expect(io.out).toBe('');
  });
});
