import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

/** Resolves once `check` holds, polling every turn of the event loop (bounded), and fails the test if it never does. */
export async function untilTurn(check: () => boolean): Promise<void> {
  for (let turn = 0; turn < 10_000 && !check(); turn += 1) await new Promise((resolve) => setImmediate(resolve));
  expect(check()).toBe(true);
}

/** Runs `work` and counts the turns the event loop took meanwhile (setImmediate callbacks run). */
export async function turnsDuring<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let working = true;
  const tick = (): void => {
    turns += 1;
    if (working) setImmediate(tick);
  };
  setImmediate(tick);
  try {
    return { result: await work(), turns };
  } finally {
    working = false;
  }
}

/** Temporary directories a test file makes, removed by `removeAll` (call it in afterEach). */
export class TempDirs {
  readonly #dirs: string[] = [];

  constructor(readonly prefix: string) {}

  make(): string {
    const dir = mkdtempSync(join(tmpdir(), this.prefix));
    this.#dirs.push(dir);
    return dir;
  }

  removeAll(): void {
    for (const dir of this.#dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
