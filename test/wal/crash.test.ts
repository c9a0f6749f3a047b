import { describe, expect, it } from 'vitest';
import { isChronosError } from '../../src/lib/errors.js';
import { Random } from '../../src/lib/random.js';
import type { Entry, HardState, SnapshotMeta } from '../../src/raft/types.js';
import { SimDisk } from '../../src/wal/sim-disk.js';
import { Wal } from '../../src/wal/wal.js';
import type { WalBatch, WalState } from '../../src/wal/wal.js';
import { DIR, entry, plain, recordingLogger } from './helpers.js';

/** The naive reference: the log as plain arrays, one record at a time. */
interface RefState {
  hardState: HardState;
  snapshot: SnapshotMeta | null;
  entries: Entry[];
}

type RefRecord =
  | { kind: 'snapshot'; snapshot: SnapshotMeta }
  | { kind: 'entry'; entry: Entry }
  | { kind: 'hard-state'; hardState: HardState };

function recordsOf(batch: WalBatch): RefRecord[] {
  const records: RefRecord[] = [];
  if (batch.snapshot !== undefined) records.push({ kind: 'snapshot', snapshot: batch.snapshot });
  for (const e of batch.entries ?? []) records.push({ kind: 'entry', entry: e });
  if (batch.hardState !== undefined) {
    records.push({ kind: 'hard-state', hardState: batch.hardState });
  }
  return records;
}

function applyRecord(state: RefState, record: RefRecord): RefState {
  switch (record.kind) {
    case 'hard-state':
      return { ...state, hardState: record.hardState };
    case 'entry':
      const before = state.entries.filter((e) => e.index < record.entry.index);
      return { ...state, entries: [...before, record.entry] };
    case 'snapshot': {
      const { index, term } = record.snapshot;
      const at =
        state.entries.find((e) => e.index === index) ??
        (state.snapshot?.index === index ? state.snapshot : undefined);
      const matches =
        at !== undefined
          ? at.term === term
          : state.entries.length === 0 || state.entries[0]?.index === index + 1;
      const kept = matches ? state.entries.filter((e) => e.index > index) : [];
      return { ...state, snapshot: record.snapshot, entries: kept };
    }
  }
}

function lastIndex(state: RefState): number {
  return state.entries[state.entries.length - 1]?.index ?? state.snapshot?.index ?? 0;
}

function randomBatch(random: Random, state: RefState, term: number): WalBatch {
  const last = lastIndex(state);
  const snapshotIndex = state.snapshot?.index ?? 0;
  const batch: { entries?: Entry[]; hardState?: HardState; snapshot?: SnapshotMeta } = {};
  if (random.chance(0.08) && last > snapshotIndex) {
    const index = random.between(snapshotIndex, last);
    const at = state.entries.find((e) => e.index === index);
    const snapTerm = random.chance(0.8) ? (at?.term ?? state.snapshot?.term ?? 0) : term;
    batch.snapshot = { index, term: snapTerm, membership: { voters: ['n1', 'n2'] } };
    return batch;
  }
  let first = last + 1;
  if (random.chance(0.15) && last - 3 > snapshotIndex) first = random.between(last - 3, last);
  const count = random.between(0, 4);
  if (count > 0) {
    batch.entries = Array.from({ length: count }, (_, i) =>
      entry(first + i, term, random.between(1, 60)),
    );
  }
  if (count === 0 || random.chance(0.5)) {
    const vote = random.chance(0.5) ? null : 'n2';
    batch.hardState = { term, vote, commit: random.int(last + 1) };
  }
  return batch;
}

function sameState(restored: WalState, candidate: RefState): boolean {
  return (
    JSON.stringify([restored.hardState, restored.snapshot, plain(restored.entries)]) ===
    JSON.stringify([candidate.hardState, candidate.snapshot, plain(candidate.entries)])
  );
}

/** What a run exercised, so the test can show it did not pass vacuously. */
interface Coverage {
  crashes: number;
  lostUnacknowledged: number;
  tornTailsCut: number;
  compactedOpens: number;
}

async function runSeed(seed: number, tornTails: boolean, coverage: Coverage): Promise<void> {
  const random = new Random(seed);
  const disk = new SimDisk({ random: random.fork() });
  const segmentBytesMax = random.pick([200, 600, 4096]);
  let opened = await Wal.open(disk, DIR, { logger: recordingLogger(), segmentBytesMax });
  let durable: RefState = { ...opened.state, entries: [...opened.state.entries] };
  let term = 1;
  for (let round = 0; round < 25; round++) {
    const wal = opened.wal;
    // Each round: some concurrent saves (and maybe a compaction), then a crash at a random moment.
    let proposed = durable;
    const issued: Array<{ records: RefRecord[]; acked: boolean; error: unknown }> = [];
    const pending: Array<Promise<unknown>> = [];
    const saves = random.between(1, 12);
    for (let i = 0; i < saves; i++) {
      if (random.chance(0.1)) term += 1;
      const batch = randomBatch(random, proposed, term);
      const item = { records: recordsOf(batch), acked: false, error: null as unknown };
      issued.push(item);
      for (const record of item.records) proposed = applyRecord(proposed, record);
      const saved = wal.save(batch).then(
        () => (item.acked = true),
        (error: unknown) => (item.error = error),
      );
      pending.push(saved);
      if (random.chance(0.1) && proposed.snapshot !== null) {
        const compacted = wal.compact(random.between(0, proposed.snapshot.index));
        pending.push(
          compacted.catch((error: unknown) => expect(isChronosError(error, 'IO_ERROR')).toBe(true)),
        );
      }
      const pause = random.int(3);
      for (let tick = 0; tick < pause; tick++) await nextMacrotask();
    }
    const settleTicks = random.int(4);
    for (let tick = 0; tick < settleTicks; tick++) await nextMacrotask();
    disk.crash({ keepUnsyncedPrefix: tornTails });
    coverage.crashes += 1;
    const acked = issued.map((item) => item.acked);
    await Promise.allSettled(pending);
    for (const item of issued) {
      // The generator only makes valid batches: a save may fail only because the disk died.
      if (item.error !== null) expect(isChronosError(item.error, 'IO_ERROR')).toBe(true);
    }
    disk.restart();
    const logger = recordingLogger();
    opened = await Wal.open(disk, DIR, { logger, segmentBytesMax });
    coverage.tornTailsCut += logger.messages.length;
    if (!opened.wal.segmentNames[0]?.startsWith('0000000000000001-')) coverage.compactedOpens += 1;

    // Candidates: everything acknowledged, then any prefix of the rest (records or batches).
    const lastAcked = acked.lastIndexOf(true);
    let candidate = durable;
    for (const item of issued.slice(0, lastAcked + 1)) {
      for (const record of item.records) candidate = applyRecord(candidate, record);
    }
    const candidates: RefState[] = [candidate];
    for (const item of issued.slice(lastAcked + 1)) {
      for (const [position, record] of item.records.entries()) {
        candidate = applyRecord(candidate, record);
        if (tornTails || position === item.records.length - 1) candidates.push(candidate);
      }
    }
    const match = candidates.findIndex((c) => sameState(opened.state, c));
    if (match < 0) {
      throw new Error(`seed ${seed} round ${round}: restored state is not a prefix of the saves`);
    }
    if (match < candidates.length - 1) coverage.lostUnacknowledged += 1;
    durable = { ...opened.state, entries: [...opened.state.entries] };
  }
  await opened.wal.close();
}

function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function emptyCoverage(): Coverage {
  return { crashes: 0, lostUnacknowledged: 0, tornTailsCut: 0, compactedOpens: 0 };
}

describe('Wal under simulated crashes', () => {
  it('keeps every acknowledged save when unsynced bytes are lost', async () => {
    const coverage = emptyCoverage();
    for (let seed = 1; seed <= 40; seed++) await runSeed(seed, false, coverage);
    expect(coverage.crashes).toBe(40 * 25);
    expect(coverage.lostUnacknowledged).toBeGreaterThan(30);
    expect(coverage.compactedOpens).toBeGreaterThan(200);
    expect(coverage.tornTailsCut).toBe(0);
  });

  it('keeps every acknowledged save when crashes leave torn tails', async () => {
    const coverage = emptyCoverage();
    for (let seed = 1001; seed <= 1040; seed++) await runSeed(seed, true, coverage);
    expect(coverage.crashes).toBe(40 * 25);
    expect(coverage.lostUnacknowledged).toBeGreaterThan(30);
    expect(coverage.tornTailsCut).toBeGreaterThan(20);
  });
});
