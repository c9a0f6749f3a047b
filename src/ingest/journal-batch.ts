/**
 * What every drained batch says about where it came from: records `firstSeq`..`lastSeq` of the
 * journal named `source`, and `nowMs`, the insert time every replica records.
 */
export interface JournalBatch {
  readonly source: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly nowMs: number;
  /**
   * Sent while the batch before it was still in flight: it applies only once that one has
   * (the cursor reached firstSeq - 1), so a failed batch is never skipped by a later one.
   */
  readonly afterPrevious: boolean;
}

/** A batch's head as the JSON fields of its log entry: s, f, l, n, and a (1) when afterPrevious. */
export function journalBatchFields(batch: JournalBatch): Record<string, string | number> {
  return { s: batch.source, f: batch.firstSeq, l: batch.lastSeq, n: batch.nowMs, ...(batch.afterPrevious ? { a: 1 } : {}) };
}

/** The head of a decoded entry's fields, or null when they are malformed (`a` is absent in older entries). */
export function journalBatchOf(fields: Record<string, unknown>): JournalBatch | null {
  const { s, f, l, n, a } = fields;
  if (typeof s !== 'string' || typeof f !== 'number' || typeof l !== 'number' || typeof n !== 'number' ||
    !(a === undefined || a === 1)) return null;
  return { source: s, firstSeq: f, lastSeq: l, nowMs: n, afterPrevious: a === 1 };
}
