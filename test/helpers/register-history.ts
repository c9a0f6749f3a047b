import { performance } from 'node:perf_hooks';
import type { SqlClient } from '../../src/api/grpc/index.js';

/** One operation on the register `reg(k = 1)`: a write of a unique value, or a read of it. */
export interface RegisterOperation {
  readonly kind: 'write' | 'read';
  readonly value: number;
  readonly invokedAt: number;
  readonly completedAt: number;
  readonly ok: boolean;
}

/**
 * Runs 3 writers (UPDATE of unique values) and 3 readers through `via(n)` (rotating over the
 * nodes) until `stop()` says so, each bounded in count; failures are paced so a run outlasts
 * an election. Returns the history.
 */
export async function runRegisterLoad(via: (n: number) => SqlClient, stop: () => boolean, history: RegisterOperation[]): Promise<void> {
  const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));
  const writers = Array.from({ length: 3 }, async (_, w) => {
    for (let i = 1; i <= 3_000 && !stop(); i++) {
      const value = (w + 1) * 1_000_000 + i;
      const invokedAt = performance.now();
      const ok = await via(w + i).execute(`UPDATE reg SET v = ${value} WHERE k = 1`).then(() => true, () => false);
      history.push({ kind: 'write', value, invokedAt, completedAt: performance.now(), ok });
      if (!ok) await pause();
    }
  });
  const readers = Array.from({ length: 3 }, async (_, r) => {
    for (let i = 0; i < 6_000 && !stop(); i++) {
      const invokedAt = performance.now();
      const result = await via(r + i).execute('SELECT v FROM reg WHERE k = 1').catch(() => null);
      if (result?.kind === 'rows' && result.rows[0] !== undefined) {
        history.push({ kind: 'read', value: Number(result.rows[0][0]), invokedAt, completedAt: performance.now(), ok: true });
      } else {
        await pause();
      }
    }
  });
  await Promise.all([...writers, ...readers]);
}

/**
 * The stale reads of a register history: a read may not return a value that a write which
 * began after that value's write had ended, and which itself ended before the read began, had
 * already overwritten (the part of linearizability that ReadIndex and leases exist to keep).
 */
export function staleReads(history: readonly RegisterOperation[]): string[] {
  const writes = new Map<number, RegisterOperation>();
  for (const op of history) if (op.kind === 'write') writes.set(op.value, op);
  const acknowledged = history.filter((op) => op.kind === 'write' && op.ok);
  const violations: string[] = [];
  for (const read of history.filter((op) => op.kind === 'read')) {
    const source = read.value === 0 ? null : writes.get(read.value);
    if (read.value !== 0 && (source == null || source.invokedAt > read.completedAt)) {
      violations.push(`read ${read.value} returned a value never (yet) written`);
      continue;
    }
    const writtenBy = source ?? { invokedAt: -Infinity, completedAt: -Infinity, ok: true };
    if (!writtenBy.ok) continue; // its completion is unknown: it may have applied at any time
    const overwriter = acknowledged.find((w) => w.invokedAt > writtenBy.completedAt && w.completedAt < read.invokedAt);
    if (overwriter !== undefined) {
      violations.push(`stale read of ${read.value}: ${overwriter.value} was written after it and before the read`);
    }
  }
  return violations;
}
