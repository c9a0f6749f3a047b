import { describe, expect, it } from 'vitest';
import { isChronosError } from '../../src/lib/errors.js';
import { Random } from '../../src/lib/random.js';
import type { AppendResponse } from '../../src/raft/messages.js';
import { RaftCore } from '../../src/raft/raft-core.js';
import { mayPrecedePersist } from '../../src/raft/ready.js';
import type { Entry } from '../../src/raft/types.js';
import { TestCluster, bytes } from './cluster.js';

const IDS = ['a', 'b', 'c'];

function entry(index: number, term: number): Entry {
  return { index, term, type: 'noop', data: new Uint8Array(0) };
}

/** Node a of {a, b, c}, leader of term 2 with that term and its noop's Ready handled. */
function leaderOfTerm2(): RaftCore {
  const core = new RaftCore({ id: 'a', voters: ['a', 'b', 'c'], preVote: false },
    { hardState: { term: 1, vote: null, commit: 0 }, snapshot: null, entries: [] }, new Random(3));
  core.campaign();
  core.step({ type: 'voteResponse', from: 'b', to: 'a', term: 2, preVote: false, granted: true, recovering: false });
  core.advance(core.ready());
  return core;
}

/** A follower's successful answer to a's term-2 appends. */
function appendAck(from: string, matchIndex: number, readContext = 0): AppendResponse {
  return { type: 'appendResponse', from, to: 'a', term: 2, success: true, matchIndex, rejectHintIndex: 0,
    rejectHintTerm: 0, readContext, recovering: false };
}

describe('log replication', () => {
  it('replicates and applies proposals in order on every node', () => {
    const cluster = new TestCluster(IDS, { maxEntriesPerAppend: 2 }).elect('a');
    for (let i = 1; i <= 7; i += 1) cluster.core('a').propose(bytes(`k=${i}`));
    cluster.stabilize();
    cluster.tickAll(1);
    const expected = Array.from({ length: 7 }, (_, i) => `k=${i + 1}`);
    for (const id of IDS) {
      expect(cluster.appliedText(id)).toEqual(expected);
      expect(cluster.core(id).status()).toMatchObject({ commitIndex: 8, appliedIndex: 8 });
    }
  });

  it('keeps up to maxInflightAppends appends in flight before any acknowledgement', () => {
    const cluster = new TestCluster(IDS, { maxEntriesPerAppend: 1, maxInflightAppends: 3 })
      .elect('a');
    cluster.tickAll(1);
    cluster.sent = [];
    for (let i = 1; i <= 6; i += 1) cluster.core('a').propose(bytes(`k=${i}`));
    cluster.processReadies();
    const toB = cluster.inflight.filter((m) => m.type === 'append' && m.to === 'b');
    expect(toB).toHaveLength(3);
    cluster.stabilize();
    expect(cluster.core('b').status().lastIndex).toBe(7);
  });

  it('repairs a long conflicting follower log with few rejections (fast back-off)', () => {
    const cluster = new TestCluster(IDS).elect('a');
    cluster.isolated.add('a');
    for (let i = 0; i < 30; i += 1) cluster.core('a').propose(bytes(`lost=${i}`));
    cluster.processReadies();
    for (let i = 0; i < 30 && cluster.leaders().every((id) => id === 'a'); i += 1) {
      cluster.tick('b');
      cluster.tick('c');
      cluster.stabilize();
    }
    const leader = cluster.leaders().find((id) => id !== 'a');
    expect(leader).toBeDefined();
    if (leader === undefined) return;
    for (let i = 0; i < 5; i += 1) cluster.core(leader).propose(bytes(`kept=${i}`));
    cluster.stabilize();
    cluster.isolated.delete('a');
    cluster.sent = [];
    cluster.tickAll(3);
    const rejections = cluster.sent.filter((m): m is AppendResponse =>
      m.type === 'appendResponse' && m.from === 'a' && !m.success);
    expect(rejections.length).toBeLessThanOrEqual(2);
    expect(cluster.core('a').status().lastIndex).toBe(cluster.core(leader).status().lastIndex);
    expect(cluster.appliedText('a')).toEqual([0, 1, 2, 3, 4].map((i) => `kept=${i}`));
  });

  it('a leader counts its own entry toward a commit only once it is durable (appends go out before its fsync)', () => {
    const core = leaderOfTerm2();
    const index = core.propose(bytes('k=v'));
    const ready = core.ready();
    expect(ready.entries.map((e) => e.index)).toEqual([index]);
    expect(ready.messages.filter((m) => m.type === 'append').every((m) => mayPrecedePersist(m, core.durableTerm))).toBe(true);
    // b acknowledges before the leader's own fsync finished: one durable copy is not a quorum.
    core.step(appendAck('b', index));
    expect(core.status().commitIndex).toBe(index - 1);
    core.advance(ready);
    expect(core.status().commitIndex).toBe(index);
  });

  it('proposals stepped together leave as one append per follower, not one each', () => {
    const cluster = new TestCluster(IDS).elect('a');
    cluster.stabilize();
    cluster.sent = [];
    const indexes = [1, 2, 3].map((i) => cluster.core('a').propose(bytes(`k=${i}`)));
    cluster.processReadies();
    const appends = cluster.inflight.filter((m) => m.type === 'append' && m.from === 'a');
    expect(appends.map((m) => m.to).sort()).toEqual(['b', 'c']);
    for (const append of appends) {
      expect(append.type === 'append' ? append.entries.map((e) => e.index) : []).toEqual(indexes);
    }
    cluster.stabilize();
    expect(cluster.appliedText('b')).toEqual(['k=1', 'k=2', 'k=3']);
  });

  it('appends of entries proposed during the leader\'s fsync leave at once; the entries wait for the next Ready', () => {
    const core = leaderOfTerm2();
    const ack = (from: string, matchIndex: number): void => core.step(appendAck(from, matchIndex));
    // The followers answer the leader's first entry: they leave probing and take appends in a stream.
    for (const from of ['b', 'c']) ack(from, core.status().lastIndex);
    core.advance(core.ready());
    const first = core.propose(bytes('k=1'));
    const saving = core.ready(); // its fsync is in flight
    expect(saving.entries.map((e) => e.index)).toEqual([first]);
    const second = core.propose(bytes('k=2'));
    const early = core.takeEarlyMessages();
    expect(early.map((m) => m.to).sort()).toEqual(['b', 'c']);
    expect(early.every((m) => m.entries.some((e) => e.index === second))).toBe(true);
    expect(core.takeEarlyMessages()).toEqual([]);
    // Both followers hold both entries before the leader's fsync ends: a majority without it.
    for (const from of ['b', 'c']) ack(from, second);
    expect(core.status().commitIndex).toBe(second);
    core.advance(saving);
    const next = core.ready();
    expect(next.entries.map((e) => e.index)).toEqual([second]);
    expect(next.messages.some((m) => m.type === 'append' && m.entries.some((e) => e.index === second))).toBe(false);
  });

  it('entries committed during an fsync are handed over at once if durable, in order and only once', () => {
    const core = leaderOfTerm2();
    const ack = (from: string, matchIndex: number): void => core.step(appendAck(from, matchIndex));
    for (const from of ['b', 'c']) ack(from, core.status().lastIndex);
    core.advance(core.ready());
    const first = core.propose(bytes('k=1'));
    core.advance(core.ready()); // k=1 is on the leader's disk, not yet on a follower's
    expect(core.durableIndex).toBe(first);
    const second = core.propose(bytes('k=2'));
    const saving = core.ready(); // the fsync of k=2 is in flight
    expect(saving.committedEntries).toEqual([]);
    expect(core.takeDurableCommitted()).toEqual([]);
    // b holds both: k=1 commits (leader + b) and is durable here; k=2 is not durable here yet.
    ack('b', second);
    expect(core.status().commitIndex).toBe(first);
    expect(core.takeDurableCommitted().map((e) => e.index)).toEqual([first]);
    expect(core.takeDurableCommitted()).toEqual([]);
    // c holds both too: k=2 commits on b and c, but waits for the leader's own persist.
    ack('c', second);
    expect(core.status().commitIndex).toBe(second);
    expect(core.takeDurableCommitted()).toEqual([]);
    core.advance(saving);
    expect(core.status().appliedIndex).toBe(first);
    expect(core.ready().committedEntries.map((e) => e.index)).toEqual([second]);
  });

  it('hands nothing early while the Ready in flight applies entries beyond the durable index', () => {
    const follower = new RaftCore({ id: 'b', voters: ['a', 'b', 'c'], preVote: false },
      { hardState: { term: 2, vote: 'a', commit: 0 }, snapshot: null, entries: [] }, new Random(5));
    follower.step({ type: 'append', from: 'a', to: 'b', term: 2, prevLogIndex: 0, prevLogTerm: 0,
      entries: [entry(1, 2), entry(2, 2)], commit: 2, readContext: 0, commitOnly: false });
    const saving = follower.ready();
    expect(saving.entries.map((e) => e.index)).toEqual([1, 2]);
    expect(saving.committedEntries.map((e) => e.index)).toEqual([1, 2]);
    expect(follower.durableIndex).toBe(0);
    expect(follower.takeDurableCommitted()).toEqual([]);
    follower.advance(saving);
    expect(follower.status().appliedIndex).toBe(2);
  });

  it('a caught-up follower is told a commit by a notice it accepts without answering', () => {
    const core = leaderOfTerm2();
    for (const from of ['b', 'c']) core.step(appendAck(from, core.status().lastIndex));
    core.advance(core.ready());
    const index = core.propose(bytes('k=1'));
    core.advance(core.ready());
    core.step(appendAck('b', index));
    const messages = core.ready().messages;
    const notices = messages.filter((m) => m.type === 'append' && m.to === 'b');
    expect(notices).toEqual([expect.objectContaining({ entries: [], commit: index, commitOnly: true, readContext: 0 })]);
    // c has not acknowledged the entry yet: its answer still matters, so its notice asks for one.
    expect(messages.filter((m) => m.type === 'append' && m.to === 'c'))
      .toEqual([expect.objectContaining({ entries: [], commit: index, commitOnly: false })]);
    const notice = notices[0];
    if (notice?.type !== 'append') throw new Error('no notice');
    const follower = new RaftCore({ id: 'b', voters: IDS, preVote: false },
      { hardState: { term: 2, vote: 'a', commit: 0 }, snapshot: null, entries: [entry(1, 2), { ...entry(index, 2), type: 'command' }] }, new Random(6));
    follower.step(notice);
    const accepted = follower.ready();
    expect(accepted.messages).toEqual([]);
    expect(accepted.committedEntries.map((e) => e.index)).toEqual([1, index]);
    follower.advance(accepted);
    // A notice that does not match the follower's log is refused out loud, so the leader probes.
    const stale = new RaftCore({ id: 'c', voters: IDS, preVote: false },
      { hardState: { term: 2, vote: 'a', commit: 0 }, snapshot: null, entries: [] }, new Random(7));
    stale.step({ ...notice, to: 'c' });
    expect(stale.ready().messages).toEqual([expect.objectContaining({ type: 'appendResponse', success: false })]);
    // Entries are acknowledged even under the flag: only an empty append is a notice.
    const carrier = new RaftCore({ id: 'b', voters: IDS, preVote: false },
      { hardState: { term: 2, vote: 'a', commit: 0 }, snapshot: null, entries: [entry(1, 2)] }, new Random(8));
    carrier.step({ ...notice, prevLogIndex: 1, prevLogTerm: 2, entries: [{ ...entry(index, 2), type: 'command' }] });
    expect(carrier.ready().messages).toEqual([expect.objectContaining({ type: 'appendResponse', success: true, matchIndex: index })]);
  });

  it('over drawn appends, a follower answers every one but an accepted empty commit notice', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = new Random(seed);
      const held = 1 + random.int(4);
      const log = Array.from({ length: held }, (_, i) => entry(i + 1, 2));
      const follower = new RaftCore({ id: 'b', voters: IDS, preVote: false },
        { hardState: { term: 2, vote: 'a', commit: 0 }, snapshot: null, entries: log }, new Random(seed));
      // prevLogIndex may lie inside, at the end of, or beyond the follower's log; its term may not match.
      const prevLogIndex = random.int(held + 3);
      const prevLogTerm = prevLogIndex === 0 ? 0 : random.int(2) === 0 ? 2 : 1;
      const carried = Array.from({ length: random.int(3) }, (_, i) => entry(prevLogIndex + 1 + i, 2));
      const commitOnly = random.int(2) === 0;
      follower.step({ type: 'append', from: 'a', to: 'b', term: 2, prevLogIndex, prevLogTerm, entries: carried,
        commit: random.int(prevLogIndex + carried.length + 1), readContext: 0, commitOnly });
      const answers = follower.ready().messages.filter((m) => m.type === 'appendResponse');
      const matches = prevLogIndex <= held && (prevLogIndex === 0 || prevLogTerm === 2);
      const silent = matches && commitOnly && carried.length === 0;
      expect([seed, answers.length]).toEqual([seed, silent ? 0 : 1]);
      const answer = answers[0];
      if (answer?.type === 'appendResponse') {
        expect([seed, answer.success]).toEqual([seed, matches]);
        if (matches) expect([seed, answer.matchIndex]).toEqual([seed, prevLogIndex + carried.length]);
      }
    }
  });

  it('a read after heartbeats sent early during an fsync starts its own round (no stale read)', () => {
    const core = leaderOfTerm2();
    const ack = (from: string, matchIndex: number, readContext: number): void => core.step(appendAck(from, matchIndex, readContext));
    for (const from of ['b', 'c']) ack(from, core.status().lastIndex, 0);
    core.advance(core.ready());
    core.propose(bytes('k=1'));
    const saving = core.ready(); // its fsync is in flight
    core.readIndex(1);
    const first = core.takeEarlyMessages().filter((m) => m.readContext > 0);
    expect(first.map((m) => m.to).sort()).toEqual(['b', 'c']);
    core.readIndex(2);
    const second = core.takeEarlyMessages().filter((m) => m.readContext > 0);
    expect(second.length).toBe(2);
    expect(second[0]?.readContext).toBeGreaterThan(first[0]?.readContext ?? Infinity);
    // b answers the heartbeat sent before read 2 arrived: it confirms read 1 only.
    ack('b', 1, first[0]?.readContext ?? 0);
    core.advance(saving);
    expect(core.ready().readStates.map((r) => r.requestId)).toEqual([1]);
  });

  it('a lone voter\'s appends wait until its new term is durable (a learner could keep entries of a reused term)', () => {
    const core = new RaftCore({ id: 'a', voters: ['a'], preVote: false }, {
      hardState: { term: 1, vote: 'a', commit: 0 },
      snapshot: { index: 0, term: 0, membership: { voters: ['a'], learners: ['l'] } }, entries: [],
    }, new Random(3));
    core.campaign();
    expect(core.status()).toMatchObject({ role: 'Leader', term: 2 });
    expect(core.takeEarlyMessages()).toEqual([]);
    const ready = core.ready();
    expect(ready.hardState?.term).toBe(2);
    const appends = ready.messages.filter((m) => m.type === 'append' && m.to === 'l');
    expect(appends.length).toBeGreaterThan(0);
    expect(appends.some((m) => mayPrecedePersist(m, core.durableTerm))).toBe(false);
    core.advance(ready);
    expect(core.durableTerm).toBe(2);
    core.propose(bytes('k=1'));
    expect(core.ready().messages.some((m) => m.type === 'append' && mayPrecedePersist(m, core.durableTerm))).toBe(true);
  });

  it('Figure 8: a leader never commits an older-term entry by counting replicas', () => {
    const voters = ['a', 'b', 'c', 'd', 'e'];
    const core = new RaftCore({ id: 'a', voters, preVote: false }, {
      hardState: { term: 4, vote: null, commit: 1 }, snapshot: null,
      entries: [entry(1, 1), entry(2, 2)],
    }, new Random(8));
    core.campaign();
    for (const from of ['b', 'c']) {
      core.step({ type: 'voteResponse', from, to: 'a', term: 5, preVote: false, granted: true, recovering: false });
    }
    expect(core.status()).toMatchObject({ role: 'Leader', term: 5, lastIndex: 3 });
    core.advance(core.ready());
    const ack = (from: string, matchIndex: number): void => core.step({
      type: 'appendResponse', from, to: 'a', term: 5, success: true, matchIndex,
      rejectHintIndex: 0, rejectHintTerm: 0, readContext: 0, recovering: false,
    });
    ack('b', 2);
    ack('c', 2);
    // Index 2 (term 2) is on a majority, but it is not from term 5: not committed.
    expect(core.status().commitIndex).toBe(1);
    ack('b', 3);
    expect(core.status().commitIndex).toBe(1);
    ack('c', 3);
    expect(core.status().commitIndex).toBe(3);
  });

  it('never truncates committed entries and never lowers commit', () => {
    const cluster = new TestCluster(IDS).elect('a');
    cluster.core('a').propose(bytes('x=1'));
    cluster.stabilize();
    cluster.tickAll(1);
    const commit = cluster.core('b').status().commitIndex;
    expect(() => cluster.core('b').step({
      type: 'append', from: 'a', to: 'b', term: 1, prevLogIndex: 0, prevLogTerm: 0,
      entries: [entry(1, 1)], commit: 0, readContext: 0, commitOnly: false,
    })).not.toThrow();
    expect(cluster.core('b').status().commitIndex).toBe(commit);
    expect(cluster.core('b').status().lastIndex).toBe(2);
  });
});

describe('snapshots and compaction', () => {
  it('a follower behind the first index catches up by snapshot, then by log', () => {
    const cluster = new TestCluster(IDS).elect('a');
    cluster.isolated.add('c');
    for (let i = 1; i <= 10; i += 1) cluster.core('a').propose(bytes(`k=${i}`));
    cluster.stabilize();
    const applied = cluster.core('a').status().appliedIndex;
    expect(applied).toBe(11);
    const image = bytes('image-at-11');
    const meta = cluster.core('a').compact(applied, image);
    expect(meta).toMatchObject({ index: 11, term: 1, membership: { voters: IDS } });
    expect(cluster.core('a').status().firstIndex).toBe(12);
    cluster.isolated.delete('c');
    cluster.tickAll(2);
    expect(cluster.sent.some((m) => m.type === 'snapshot' && m.to === 'c')).toBe(true);
    expect(cluster.node('c').snapshot?.data).toEqual(image);
    expect(cluster.core('c').status()).toMatchObject({ commitIndex: 11, appliedIndex: 11,
      firstIndex: 12 });
    cluster.core('a').propose(bytes('after=1'));
    cluster.stabilize();
    cluster.tickAll(1);
    expect(cluster.appliedText('c')).toEqual(['after=1']);
  });

  it('a restarted leader can still send its snapshot', () => {
    const cluster = new TestCluster(IDS).elect('a');
    for (let i = 1; i <= 3; i += 1) cluster.core('a').propose(bytes(`k=${i}`));
    cluster.stabilize();
    const meta = cluster.core('a').compact(4, bytes('img'));
    expect(meta?.index).toBe(4);
    // An image of an older index (an export that ended around an install) is refused.
    expect(cluster.core('a').compact(3, bytes('older'))).toBeNull();
    expect(cluster.core('a').logView().snapshotIndex).toBe(4);
    const node = cluster.node('a');
    node.snapshot = meta === null ? null : { meta, data: bytes('img') };
    node.entries = node.entries.filter((e) => e.index > 4);
    cluster.restart('a');
    expect(cluster.core('a').status()).toMatchObject({ firstIndex: 5, appliedIndex: 4 });
  });

  it('a node restarted right after compacting takes its image back, so it can serve a lagging follower', () => {
    // Found by the driver simulation: the WAL gives a restarted node its snapshot's meta, not
    // the image; storage applied exactly that index, so compacting there again returns null.
    const meta = { index: 4, term: 1, membership: { voters: IDS } };
    const core = new RaftCore({ id: 'a', voters: IDS, preVote: false },
      { hardState: { term: 1, vote: null, commit: 4 }, snapshot: meta, entries: [], appliedIndex: 4 }, new Random(5));
    expect(core.compact(4, bytes('img'))).toBeNull();
    core.campaign();
    core.step({ type: 'voteResponse', from: 'b', to: 'a', term: 2, preVote: false, granted: true, recovering: false });
    core.advance(core.ready());
    // c holds nothing: it rejects the probe at 4 (a rejection names the rejected index in matchIndex).
    core.step({ type: 'appendResponse', from: 'c', to: 'a', term: 2, success: false, matchIndex: 4,
      rejectHintIndex: 0, rejectHintTerm: 0, readContext: 0, recovering: false });
    const snapshots = core.ready().messages.filter((m) => m.type === 'snapshot');
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]?.type === 'snapshot' ? snapshots[0].data : null).toEqual(bytes('img'));
  });
});

describe('steps between ready() and advance() (the driver steps during its fsync)', () => {
  it('advance() marks durable the persisted entries the log still holds, not the replaced tail', () => {
    const core = new RaftCore({ id: 'b', voters: IDS, preVote: false },
      { hardState: { term: 1, vote: null, commit: 1 }, snapshot: null, entries: [entry(1, 1)] }, new Random(4));
    core.step({ type: 'append', from: 'a', to: 'b', term: 1, prevLogIndex: 1, prevLogTerm: 1,
      entries: [entry(2, 1), entry(3, 1)], commit: 1, readContext: 0, commitOnly: false });
    const saving = core.ready();
    expect(saving.entries.map((e) => e.index)).toEqual([2, 3]);
    // While that save is in flight, a new leader replaces entry 3.
    core.step({ type: 'append', from: 'c', to: 'b', term: 2, prevLogIndex: 2, prevLogTerm: 1,
      entries: [entry(3, 2)], commit: 1, readContext: 0, commitOnly: false });
    core.advance(saving);
    const next = core.ready();
    expect(next.entries.map((e) => [e.index, e.term])).toEqual([[3, 2]]);
    const answer = next.messages.find((m) => m.type === 'appendResponse' && m.to === 'c');
    expect(answer).toMatchObject({ success: true, matchIndex: 3 });
  });
});

describe('leadership transfer', () => {
  it('hands leadership to an up-to-date follower with TimeoutNow', () => {
    const cluster = new TestCluster(IDS).elect('a');
    cluster.tickAll(1);
    cluster.core('a').transferLeadership('b');
    cluster.stabilize();
    expect(cluster.leaders()).toEqual(['b']);
    expect(cluster.core('b').status().term).toBe(2);
    expect(cluster.core('a').status().leader).toBe('b');
  });

  it('catches a lagging target up first and pauses proposals meanwhile', () => {
    const cluster = new TestCluster(IDS).elect('a');
    cluster.isolated.add('c');
    for (let i = 1; i <= 3; i += 1) cluster.core('a').propose(bytes(`k=${i}`));
    cluster.stabilize();
    cluster.isolated.delete('c');
    cluster.core('a').transferLeadership('c');
    let caught: unknown;
    try {
      cluster.core('a').propose(bytes('during=1'));
    } catch (error) {
      caught = error;
    }
    expect(isChronosError(caught, 'UNAVAILABLE')).toBe(true);
    cluster.stabilize();
    expect(cluster.leaders()).toEqual(['c']);
    expect(cluster.core('c').status().lastIndex).toBeGreaterThanOrEqual(5);
  });
});
