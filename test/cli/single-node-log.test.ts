import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.js';
import { applyWriteCommand } from '../../src/sql/index.js';
import { writeDirMarker } from '../../src/node/dir-marker.js';
import { BUILD_TIMEOUT_MS, ROOT, ensureBuilt, runChronos } from './binary.js';

let dir = '';
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'chronos-single-log-'));
}, BUILD_TIMEOUT_MS);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A process that opens `data` as a single-node database (the code `chronos single-node` runs),
 * runs `statements`, prints "acknowledged" and stays up; the test then SIGKILLs it.
 */
function writerUntilAcknowledged(data: string, statements: readonly string[]): Promise<() => Promise<void>> {
  const script = `
    const { LocalNode } = await import(${JSON.stringify(join(ROOT, 'dist', 'node', 'local-node.js'))});
    const { Session } = await import(${JSON.stringify(join(ROOT, 'dist', 'sql', 'index.js'))});
    const { silentLogger, systemClock } = await import(${JSON.stringify(join(ROOT, 'dist', 'lib', 'index.js'))});
    const local = await LocalNode.open(${JSON.stringify(data)}, { clock: systemClock, logger: silentLogger });
    const session = new Session(local);
    for (const sql of ${JSON.stringify(statements)}) await session.execute(sql);
    process.stdout.write('acknowledged\\n');
    setInterval(() => undefined, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the writer did not acknowledge within 20 s'));
    }, 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('acknowledged')) return;
      clearTimeout(timer);
      // The kill resolves once the process is gone (its dir lock released).
      resolve(() => new Promise((exited) => {
        child.once('exit', () => exited());
        child.kill('SIGKILL');
      }));
    });
  });
}

describe('a single-node dir runs the node driver: statements are durable through its log', () => {
  it('an acknowledged write survives SIGKILL, and a snapshot of the killed dir holds it', async () => {
    const data = join(dir, 'killed');
    const kill = await writerUntilAcknowledged(data, ['CREATE TABLE m (id INT PRIMARY KEY, v TEXT)', "INSERT INTO m VALUES (1, 'kept')"]);
    await kill();
    expect(existsSync(join(data, 'raft-wal'))).toBe(true);
    const file = join(dir, 'killed.snap');
    const created = await runChronos(['snapshot', 'create', '-d', data, '-o', file]);
    expect(created.code, created.stderr).toBe(0);
    const restored = join(dir, 'restored');
    expect((await runChronos(['snapshot', 'restore', '-d', restored, '-i', file])).code).toBe(0);
    for (const target of [data, restored]) {
      const read = await runChronos(['client', '-d', target, '--format', 'csv', '-e', 'SELECT id, v FROM m']);
      expect(read).toEqual({ code: 0, stdout: 'id,v\n1,kept\n', stderr: '' });
    }
  }, 60_000);

  it('a single-node dir written before it had a log opens with its data, and takes writes', async () => {
    const data = join(dir, 'before-log');
    const storage = await openStorage({ dir: data });
    const txn = await storage.begin();
    await applyWriteCommand({ statements: ['CREATE TABLE old (id INT)', 'INSERT INTO old VALUES (7)'], nowMs: 0 }, txn);
    await txn.commit(5);
    await storage.close();
    writeDirMarker(data, { kind: 'single-node', nodeId: null, clusterId: null });
    expect((await runChronos(['client', '-d', data, '-e', 'INSERT INTO old VALUES (8)'])).code).toBe(0);
    const read = await runChronos(['client', '-d', data, '--format', 'csv', '-e', 'SELECT id FROM old ORDER BY id']);
    expect(read).toEqual({ code: 0, stdout: 'id\n7\n8\n', stderr: '' });
  }, 60_000);
});
