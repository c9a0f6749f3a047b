import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChronosError, FileLogSink } from '../../src/lib/index.js';
import type { LogRecord } from '../../src/lib/index.js';

const dir = mkdtempSync(join(tmpdir(), 'chronos-log-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const record: LogRecord = { timeMs: 0, level: 'info', component: 'test', message: 'hello', fields: {} };

/** The CONFIG_ERROR a sink on `path` refuses to open with (fails the test if it opens). */
function refusal(path: string): ChronosError {
  try {
    new FileLogSink({ path, maxSizeMb: 1, maxFiles: 1 });
  } catch (error) {
    if (error instanceof ChronosError) return error;
    throw error;
  }
  throw new Error(`a sink on ${path} opened`);
}

describe('a log file that can never be written is refused when the sink is made', () => {
  it('under /proc, where open may pass and every write fails', () => {
    const error = refusal('/proc/foo.log');
    expect(error.code).toBe('CONFIG_ERROR');
    expect(error.message).toBe("cannot use '/proc/foo.log' as the log file: it is under /proc, a kernel pseudo-filesystem");
  });

  it('a directory', () => {
    expect(refusal(dir).message).toBe(`cannot use '${dir}' as the log file: it is a directory`);
  });

  it('a path whose parent is a file', () => {
    const file = join(dir, 'plain');
    writeFileSync(file, '');
    expect(refusal(join(file, 'chronos.log')).message)
      .toMatch(new RegExp(`: cannot create its directory '${file}': EEXIST: file already exists$`));
  });

  it('a FIFO, whose open would block until a reader came', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(refusal(fifo).message).toMatch(/: it is not a regular file/);
  });
});

describe('a log file that fails after start', () => {
  it('reports the failure once and drops lines instead of throwing into the caller', () => {
    const sub = join(dir, 'gone');
    const path = join(sub, 'chronos.log');
    const reported: string[] = [];
    const sink = new FileLogSink({ path, maxSizeMb: 1, maxFiles: 1, onWriteError: (m) => reported.push(m) });
    sink.write(record);
    expect(readFileSync(path, 'utf8')).toContain('"msg":"hello"');
    rmSync(sub, { recursive: true });
    sink.write(record);
    sink.write(record);
    expect(reported).toEqual([`cannot write log file '${path}': ENOENT: no such file or directory`]);
  });
});
