import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WriteFloor } from '../../src/bench/floor/write-floor.js';
import { stopChild } from '../../src/bench/processes.js';
import { ROOT, ensureBuilt } from '../cli/binary.js';

// The floor's nodes are real processes running the compiled floor-node.js.
const SCRIPT = join(ROOT, 'dist', 'bench', 'floor', 'floor-node.js');

describe('the write floor', () => {
  let floor: WriteFloor | null = null;
  afterEach(async () => {
    await floor?.stop();
    floor = null;
  });

  it('answers concurrent writes and reads each value back from its leader', async () => {
    ensureBuilt();
    floor = await WriteFloor.start(SCRIPT);
    const started = floor;
    const keys = Array.from({ length: 40 }, (_, i) => i * 3 + 1);
    await Promise.all(keys.map((key) => started.write(key, Buffer.from(`value-${key}`))));
    for (const key of keys) expect((await started.read(key)).toString()).toBe(`value-${key}`);
    expect((await started.read(2)).length).toBe(0);
  }, 30_000);

  it('keeps answering with one follower, and answers nothing while no follower has the write', async () => {
    ensureBuilt();
    floor = await WriteFloor.start(SCRIPT);
    const started = floor;
    const [first, second] = started.followers;
    if (first === undefined || second === undefined) throw new Error('the floor has two followers');
    await stopChild(first);
    await started.write(1, Buffer.from('one follower left'));
    await stopChild(second);
    let answered = false;
    void started.write(2, Buffer.from('nobody to replicate to')).then(() => { answered = true; }, () => undefined);
    // An answer that must never come has no condition to wait for: give it half a second.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(answered).toBe(false);
    expect((await started.read(1)).toString()).toBe('one follower left');
    expect((await started.read(2)).length).toBe(0);
  }, 30_000);
});
