import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import type { StageTotal, WriteStage } from '../node/index.js';

/** What the node reports of its writes' stages (node/write-stages.ts). */
export interface WriteStageTotals {
  readonly stages: ReadonlyMap<WriteStage, StageTotal>;
  readonly walSaves: StageTotal;
}

/**
 * The write-path trace as two counters per stage, `_seconds_total` and `_total`, so a dashboard
 * (or the bench, from two scrapes) divides their rates into the mean time a write spends in
 * each stage. `stage="wal_save"` counts every WAL save of the node, a follower's included.
 */
export function registerWriteStages(registers: Registry[], totals: () => WriteStageTotals): void {
  const reported = new Map<string, StageTotal>();
  const each = (visit: (stage: string, total: StageTotal) => void): void => {
    const now = totals();
    for (const [stage, total] of now.stages) visit(stage, total);
    visit('wal_save', now.walSaves);
  };
  const catchUp = (counter: Counter<'stage'>, pick: (total: StageTotal) => number, key: string): void => {
    each((stage, total) => {
      const last = reported.get(`${key}:${stage}`);
      const delta = pick(total) - (last === undefined ? 0 : pick(last));
      if (delta > 0) counter.inc({ stage }, delta);
      else counter.inc({ stage }, 0);
      reported.set(`${key}:${stage}`, { ...total });
    });
  };
  new Counter({
    name: 'chronos_write_stage_seconds_total',
    help: 'Seconds this node\'s own writes spent per stage: queued, persist (own WAL fsync), replicate (followers), apply_wait, apply, total; wal_save: every WAL save.',
    labelNames: ['stage'],
    registers,
    collect() {
      catchUp(this, (total) => total.seconds, 'seconds');
    },
  });
  new Counter({
    name: 'chronos_write_stage_total',
    help: 'Writes counted in chronos_write_stage_seconds_total, per stage (WAL saves for wal_save).',
    labelNames: ['stage'],
    registers,
    collect() {
      catchUp(this, (total) => total.writes, 'writes');
    },
  });
}
