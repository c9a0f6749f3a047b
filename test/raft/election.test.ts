import { describe, expect, it } from 'vitest';
import { isChronosError } from '../../src/lib/errors.js';
import { Random } from '../../src/lib/random.js';
import { RaftCore } from '../../src/raft/raft-core.js';
import { TestCluster, bytes } from './cluster.js';

const IDS = ['a', 'b', 'c'];

describe('elections', () => {
  it('counts a granted vote once: an intact grant is not also a rejection', () => {
    const core = new RaftCore({ id: 'a', voters: ['a', 'b', 'c', 'd', 'e'], preVote: false },
      { hardState: { term: 1, vote: null, commit: 0 }, snapshot: null, entries: [] }, new Random(9));
    core.campaign();
    const grant = (from: string, recovering: boolean): void => core.step({
      type: 'voteResponse', from, to: 'a', term: 2, preVote: false, granted: true, recovering });
    // Three intact grants are needed (two voters lost their logs); they arrive around theirs.
    grant('b', false);
    grant('c', true);
    grant('d', true);
    expect(core.status().role).toBe('Candidate');
    grant('e', false);
    expect(core.status()).toMatchObject({ role: 'Leader', term: 2 });
  });

  it('a campaign with pre-vote elects a leader in term 1 and commits its noop', () => {
    const cluster = new TestCluster(IDS).elect('a');
    expect(cluster.leaders()).toEqual(['a']);
    // Followers learn the commit index from the next heartbeat.
    cluster.tickAll(1);
    for (const id of IDS) {
      const status = cluster.core(id).status();
      expect(status.term).toBe(1);
      expect(status.leader).toBe('a');
      expect(status.commitIndex).toBe(1);
    }
    expect(cluster.node('b').applied.map((e) => e.type)).toEqual(['noop']);
  });

  it('randomised timeouts elect exactly one leader by ticking alone', () => {
    for (let seed = 1; seed <= 20; seed += 1) {
      const cluster = new TestCluster(['a', 'b', 'c', 'd', 'e'], {}, seed);
      cluster.tickAll(25);
      expect(cluster.leaders()).toHaveLength(1);
    }
  });

  it('a cluster started one node at a time in id order elects the first (drawn gaps, read leases on)', () => {
    for (let seed = 1; seed <= 40; seed += 1) {
      const rng = new Random(seed * 7919);
      const clock = { ms: 0 };
      const cluster = new TestCluster(IDS, { readLease: { nowMs: () => clock.ms, durationMs: 300 } }, seed);
      // A person starting the guide's three commands: gaps of none to 3 s (60 ticks of 50 ms).
      const startAt = new Map<string, number>([['a', 0], ['b', rng.between(0, 60)]]);
      startAt.set('c', (startAt.get('b') as number) + rng.between(0, 60));
      const started = (id: string, tick: number): boolean => tick >= (startAt.get(id) as number);
      for (let tick = 0; tick < 200 && cluster.leaders().length === 0; tick += 1) {
        cluster.filter = (message) => started(message.from, tick) && started(message.to, tick);
        for (const id of IDS) if (started(id, tick)) cluster.core(id).tick();
        clock.ms += 50;
        cluster.stabilize();
      }
      expect(cluster.leaders(), `seed ${seed}: b after ${startAt.get('b')} ticks, c after ${startAt.get('c')}`).toEqual(['a']);
      expect(cluster.core('a').status().term).toBe(1);
    }
  });

  it('the first election still completes when the voter that sorts first is down', () => {
    for (let seed = 1; seed <= 10; seed += 1) {
      const cluster = new TestCluster(IDS, {}, seed);
      cluster.isolated.add('a');
      cluster.tickAll(80);
      expect(cluster.leaders(), `seed ${seed}`).toHaveLength(1);
      expect(cluster.leaders()[0]).not.toBe('a');
    }
  });

  it('a lone node in a one-voter cluster elects itself at once', () => {
    const core = new RaftCore({ id: 'solo', voters: ['solo'] },
      { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] },
      new Random(1));
    core.campaign();
    expect(core.status().role).toBe('Leader');
    const index = core.propose(bytes('x=1'));
    const ready = core.ready();
    expect(ready.entries.map((e) => e.index)).toEqual([1, 2]);
    expect(ready.mustSync).toBe(true);
    // Its own copy counts once durable: the entries commit when this Ready is advanced.
    expect(ready.committedEntries).toEqual([]);
    core.advance(ready);
    const next = core.ready();
    expect(next.committedEntries.map((e) => e.index)).toEqual([1, index]);
    core.advance(next);
    expect(core.status().appliedIndex).toBe(2);
  });

  it('pre-vote: an isolated node does not inflate its term and cannot disrupt', () => {
    const cluster = new TestCluster(IDS).elect('a');
    cluster.isolated.add('c');
    cluster.tick('c', 100);
    cluster.stabilize();
    expect(cluster.core('c').status().term).toBe(1);
    expect(cluster.core('c').status().role).toBe('PreCandidate');
    cluster.isolated.delete('c');
    cluster.tickAll(3);
    expect(cluster.leaders()).toEqual(['a']);
    expect(cluster.core('a').status().term).toBe(1);
    expect(cluster.core('c').status().leader).toBe('a');
  });

  it('without pre-vote an isolated node does inflate its term', () => {
    const cluster = new TestCluster(IDS, { preVote: false }).elect('a');
    cluster.isolated.add('c');
    cluster.tick('c', 100);
    cluster.stabilize();
    expect(cluster.core('c').status().term).toBeGreaterThan(3);
  });

  it('check-quorum: a leader cut off from the majority steps down', () => {
    const cluster = new TestCluster(IDS).elect('a');
    cluster.isolated.add('a');
    // The first check-quorum round still counts the election replies; the second fails.
    for (let i = 0; i < 10; i += 1) cluster.tick('a');
    expect(cluster.core('a').status().role).toBe('Leader');
    for (let i = 0; i < 10; i += 1) cluster.tick('a');
    expect(cluster.core('a').status().role).toBe('Follower');
    expect(cluster.core('a').status().leader).toBeNull();
  });

  it('leader stickiness: followers that heard the leader recently reject a vote', () => {
    const cluster = new TestCluster(IDS, { preVote: false }).elect('a');
    cluster.core('b').step({
      type: 'vote', from: 'c', to: 'b', term: 5, preVote: false, lastLogIndex: 9,
      lastLogTerm: 9, leadershipTransfer: false, recovering: false,
    });
    cluster.processReadies();
    expect(cluster.core('b').status().term).toBe(1);
    const reply = cluster.inflight.find((m) => m.type === 'voteResponse');
    expect(reply).toMatchObject({ granted: false, term: 1, to: 'c' });
  });

  it('a vote request from an older term is answered with the current term', () => {
    const cluster = new TestCluster(IDS).elect('a');
    cluster.core('b').step({
      type: 'vote', from: 'c', to: 'b', term: 0, preVote: false, lastLogIndex: 0,
      lastLogTerm: 0, leadershipTransfer: false, recovering: false,
    });
    cluster.processReadies();
    expect(cluster.inflight.find((m) => m.type === 'voteResponse'))
      .toMatchObject({ granted: false, term: 1 });
  });

  it('a node refuses to vote for a candidate with a less up-to-date log', () => {
    const cluster = new TestCluster(IDS).elect('a');
    cluster.core('a').propose(bytes('x=1'));
    cluster.stabilize();
    cluster.tickAll(0);
    cluster.core('b').step({
      type: 'vote', from: 'c', to: 'b', term: 1, preVote: false, lastLogIndex: 1,
      lastLogTerm: 1, leadershipTransfer: false, recovering: false,
    });
    cluster.processReadies();
    expect(cluster.inflight.find((m) => m.type === 'voteResponse'))
      .toMatchObject({ granted: false });
  });

  it('propose on a follower throws NOT_LEADER naming the leader', () => {
    const cluster = new TestCluster(IDS).elect('a');
    let caught: unknown;
    try {
      cluster.core('b').propose(bytes('x=1'));
    } catch (error) {
      caught = error;
    }
    expect(isChronosError(caught, 'NOT_LEADER')).toBe(true);
    expect(isChronosError(caught) ? caught.details['leader'] : undefined).toBe('a');
  });

  it('a restarted node keeps its term and vote from the persisted hard state', () => {
    const cluster = new TestCluster(IDS).elect('a');
    cluster.restart('b');
    const status = cluster.core('b').status();
    expect(status.term).toBe(1);
    expect(status.commitIndex).toBe(1);
    expect(cluster.node('b').hardState.vote).toBe('a');
  });
});
