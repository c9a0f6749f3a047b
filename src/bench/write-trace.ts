/** Per-stage totals read from one node's /metrics: seconds and count per stage label. */
export type StageCounters = ReadonlyMap<string, { readonly seconds: number; readonly count: number }>;

/** Mean milliseconds per write and stage between two scrapes (stages without writes left out). */
export type StageMeans = Readonly<Record<string, number>>;

/** Parses `chronos_write_stage_seconds_total` and `chronos_write_stage_total` from exposition text. */
export function parseStageCounters(text: string): StageCounters {
  const stages = new Map<string, { seconds: number; count: number }>();
  const line = /^chronos_write_stage_(seconds_total|total)\{stage="([a-z_]+)"\} ([0-9.e+-]+)$/gm;
  for (const match of text.matchAll(line)) {
    const stage = match[2] ?? '';
    const value = Number(match[3]);
    const entry = stages.get(stage) ?? { seconds: 0, count: 0 };
    if (match[1] === 'seconds_total') entry.seconds = value;
    else entry.count = value;
    stages.set(stage, entry);
  }
  return stages;
}

/** Mean ms per write of each stage between `before` and `after`. */
export function stageMeans(before: StageCounters, after: StageCounters): StageMeans {
  const means: Record<string, number> = {};
  for (const [stage, end] of after) {
    const start = before.get(stage) ?? { seconds: 0, count: 0 };
    const count = end.count - start.count;
    if (count > 0) means[stage] = ((end.seconds - start.seconds) * 1000) / count;
  }
  return means;
}

/** One line: `queued 0.02 · persist 1.9 · …` in the stages' order of a write's life. */
export function renderStageMeans(label: string, means: StageMeans): string {
  const order = ['queued', 'persist', 'replicate', 'apply_wait', 'apply', 'total', 'wal_save'];
  const parts = order.filter((stage) => means[stage] !== undefined)
    .map((stage) => `${stage} ${(means[stage] ?? 0).toFixed(2)}`);
  return `${label}: ${parts.join(' · ')} ms per write`;
}
