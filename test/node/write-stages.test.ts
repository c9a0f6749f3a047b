import { describe, expect, it } from 'vitest';
import { WriteStages } from '../../src/node/write-stages.js';
import { parseStageCounters, stageMeans } from '../../src/bench/write-trace.js';

describe('the write-path trace', () => {
  it('splits a write into queued, persist, replicate, apply_wait and apply', () => {
    const stages = new WriteStages();
    stages.proposed(7, 100, 101);          // 1 ms in the inbox
    stages.saved(7, 7, 104, 3);           // own fsync done 3 ms after the proposal
    stages.committed(7, 7, 110);          // the followers answered 6 ms later
    stages.applied(7, 7, 112, 113);       // 2 ms behind an earlier apply, 1 ms to apply
    const { stages: totals, walSaves } = stages.totals();
    const ms = (stage: Parameters<typeof totals.get>[0]): number => Math.round((totals.get(stage)?.seconds ?? 0) * 1000);
    expect([ms('queued'), ms('persist'), ms('replicate'), ms('apply_wait'), ms('apply'), ms('total')]).toEqual([1, 3, 6, 2, 1, 13]);
    expect(totals.get('total')?.writes).toBe(1);
    expect(walSaves).toEqual({ writes: 1, seconds: 0.003 });
  });

  it('counts only this node\'s own proposals (a follower\'s applies add nothing)', () => {
    const stages = new WriteStages();
    stages.saved(1, 5, 10, 2);
    stages.committed(1, 5, 12);
    stages.applied(1, 5, 12, 13);
    expect(stages.totals().stages.get('total')?.writes).toBe(0);
    expect(stages.totals().walSaves.writes).toBe(1);
  });

  it('the bench reads the means per stage from two scrapes of /metrics', () => {
    const scrape = (seconds: number, count: number): string => [
      '# HELP chronos_write_stage_seconds_total x',
      `chronos_write_stage_seconds_total{stage="persist"} ${seconds}`,
      `chronos_write_stage_total{stage="persist"} ${count}`,
      'chronos_write_stage_total{stage="apply"} 0',
    ].join('\n');
    const means = stageMeans(parseStageCounters(scrape(1, 100)), parseStageCounters(scrape(1.5, 300)));
    expect(means).toEqual({ persist: 2.5 });
  });
});
