import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dirBytes, recentDirBytes } from '../../src/node/index.js';

describe('the data dir size a scrape reports', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('is walked at most once per max age, and again once it has passed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dir-size-'));
    dirs.push(dir);
    await writeFile(join(dir, 'a'), 'x'.repeat(1000));
    let now = 0;
    const size = recentDirBytes(dir, 1_000, () => now);
    const first = await size();
    expect(first).toBe(await dirBytes(dir));
    await writeFile(join(dir, 'b'), 'y'.repeat(500));
    now = 999;
    expect(await size()).toBe(first);
    now = 1_000;
    const walkedAgain = await size();
    expect(walkedAgain).toBe(await dirBytes(dir));
    expect(walkedAgain).toBeGreaterThanOrEqual(first + 500);
  });
});
