import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFully } from '../../src/lib/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chronos-write-fully-'));
  dirs.push(dir);
  return join(dir, 'file');
}

describe('writeFully', () => {
  it('appends small writes at the file offset and writes large ones at a position', async () => {
    const path = tempFile();
    const handle = await open(path, 'w+');
    try {
      await writeFully(handle, Buffer.from('head-'), null);
      await writeFully(handle, Buffer.from('tail'), null);
      // Above the on-thread limit: written through the thread pool, at the given position.
      const big = Buffer.alloc(300 * 1024, 7);
      await writeFully(handle, big, 9);
    } finally {
      await handle.close();
    }
    const bytes = readFileSync(path);
    expect(bytes.subarray(0, 9).toString()).toBe('head-tail');
    expect(bytes.length).toBe(9 + 300 * 1024);
    expect(bytes.subarray(9).every((b) => b === 7)).toBe(true);
  });

  it('overwrites in place at a position without moving the data around it', async () => {
    const path = tempFile();
    const handle = await open(path, 'w+');
    try {
      await writeFully(handle, Buffer.from('0123456789'), 0);
      await writeFully(handle, Buffer.from('ab'), 4);
    } finally {
      await handle.close();
    }
    expect(readFileSync(path).toString()).toBe('0123ab6789');
  });
});
