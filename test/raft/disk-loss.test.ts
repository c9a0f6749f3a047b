import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/random.js';
import { RaftCore, encodeMembership } from '../../src/raft/index.js';
import type { NodeId } from '../../src/raft/index.js';
import { bytes, TestCluster } from './cluster.js';

const IDS = ['a', 'b', 'c'];

/** Ticks and delivers until `done` holds (bounded), returning whether it did. */
function tickUntil(cluster: TestCluster, done: () => boolean, ticksMax = 200): boolean {
  for (let tick = 0; tick < ticksMax; tick += 1) {
    if (done()) return true;
    cluster.tickAll(1);
  }
  return done();
}

describe('a node that lost its disk (Replace Failed Node)', () => {
  it('catches up from an empty dir within a few heartbeats, with no leader change', () => {
    const cluster = new TestCluster(IDS).elect('a');
    for (let i = 0; i < 20; i += 1) cluster.core('a').propose(bytes(`w${i}`));
    cluster.stabilize();
    const before = cluster.core('a').status();
    cluster.wipe('c');
    expect(cluster.core('c').status().recovering).toBe(true);
    cluster.tickAll(3);
    const c = cluster.core('c').status();
    expect(c).toMatchObject({ lastIndex: before.lastIndex, commitIndex: before.commitIndex,
      recovering: false, leader: 'a' });
    expect(cluster.core('a').status()).toMatchObject({ role: 'Leader', term: before.term });
    expect(cluster.appliedText('c')).toEqual(cluster.appliedText('a'));
  });

  it('catches up from an older restored image and clears its recovering mark', () => {
    const cluster = new TestCluster(IDS).elect('a');
    for (let i = 0; i < 5; i += 1) cluster.core('a').propose(bytes(`old${i}`));
    cluster.stabilize();
    for (let i = 0; i < 10; i += 1) cluster.core('a').propose(bytes(`new${i}`));
    cluster.stabilize();
    cluster.restoreOlder('c', 4);
    expect(cluster.core('c').status()).toMatchObject({ lastIndex: 4, recovering: true });
    cluster.tickAll(3);
    expect(cluster.core('c').status()).toMatchObject({
      lastIndex: cluster.core('a').status().lastIndex, recovering: false });
    expect(cluster.node('c').hardState.recovering).toBeUndefined();
  });

  it('never helps elect a leader that lacks an entry it had acknowledged', () => {
    const cluster = new TestCluster(IDS).elect('a');
    // X is committed by a and c alone: b never hears of it.
    cluster.isolated.add('b');
    cluster.core('a').propose(bytes('X'));
    cluster.stabilize();
    expect(cluster.core('a').status().commitIndex).toBe(2);
    // c loses its disk and the leader holding X goes away; b comes back.
    cluster.wipe('c');
    cluster.isolated.delete('b');
    cluster.isolated.add('a');
    const elected = tickUntil(cluster, () => cluster.leaders().some((id) => id !== 'a'), 150);
    expect(elected).toBe(false);
    // The holder of X returns: the cluster elects a leader with X and c catches up to it.
    cluster.isolated.delete('a');
    expect(tickUntil(cluster, () => cluster.ids.every((id) =>
      cluster.appliedText(id).includes('X') && !cluster.core(id).status().recovering))).toBe(true);
  });

  it('is never elected by nodes that kept their logs while it is behind', () => {
    // No pre-vote or leader stickiness: the recovering mark alone must refuse c.
    const cluster = new TestCluster(IDS, { preVote: false, checkQuorum: false }).elect('a');
    cluster.core('a').propose(bytes('W'));
    cluster.stabilize();
    cluster.isolated.add('b');
    cluster.core('a').propose(bytes('X'));
    cluster.stabilize();
    // c comes back from a backup taken before X: its log now equals lagging b's.
    cluster.restoreOlder('c', cluster.core('b').status().lastIndex);
    cluster.isolated.delete('b');
    cluster.isolated.add('a');
    cluster.core('c').campaign();
    cluster.stabilize();
    expect(cluster.core('c').status().role).not.toBe('Leader');
  });

  it('does not stand for election while it replays a past configuration (the voter the cluster grew from)', () => {
    // A replacement for a, started with the current members, replays the log from index 1:
    // the cluster grew from a alone, so a's committed voters are now just a.
    const replacement = (startedWith: readonly NodeId[]): RaftCore => new RaftCore(
      { id: 'a', voters: startedWith, preVote: false },
      {
        hardState: { term: 2, vote: null, commit: 1, recovering: true }, snapshot: null,
        entries: [{ index: 1, term: 1, type: 'config', data: encodeMembership({ voters: ['a'] }) }],
      }, new Random(5));
    const replaying = replacement(IDS);
    expect(replaying.status()).toMatchObject({ voters: ['a'], recovering: true });
    replaying.campaign();
    for (let tick = 0; tick < 100; tick += 1) replaying.tick();
    expect(replaying.status()).toMatchObject({ role: 'Follower', term: 2 });
    // A one-node cluster restored from its backup is started alone and leads as before.
    const alone = replacement(['a']);
    alone.campaign();
    expect(alone.status()).toMatchObject({ role: 'Leader', term: 3 });
  });
});

describe('a node that kept its disk', () => {
  it('restarts without the recovering mark once a leader caught it up, even with no write since', () => {
    // A new cluster and nothing written: the followers finish recovering on a commit-only
    // heartbeat, which the driver does not otherwise write to disk.
    const cluster = new TestCluster(IDS).elect('a');
    expect(cluster.core('b').status().recovering).toBe(false);
    expect(cluster.node('b').hardState.recovering).toBeUndefined();
    // A token rotation: b restarts with the new token (cut off until a has it too), then a.
    // c keeps the old token, so a and b must elect a leader between themselves.
    cluster.isolated.add('c');
    cluster.restart('b');
    expect(cluster.core('b').status().recovering).toBe(false);
    cluster.restart('a');
    expect(tickUntil(cluster, () => cluster.leaders().length === 1, 100)).toBe(true);
  });
});

describe('a node that kept its disk, in a cluster grown from one voter', () => {
  it('restarts with the members it committed, not the voter it was started as', () => {
    const cluster = new TestCluster(['a']).elect('a');
    for (const id of ['b', 'c']) {
      const voters = cluster.core('a').status().voters;
      cluster.addNode(id, [...voters, id]);
      cluster.core('a').proposeMembership({ voters, learners: [id] });
      cluster.tickAll(3);
    }
    expect(cluster.core('a').status().voters).toEqual(['a', 'b', 'c']);
    const term = cluster.core('a').status().term;
    // a restarts as it was first started (alone) while cut off from b and c: it must not
    // count itself a majority of the cluster it grew from and commit on its own.
    cluster.isolated.add('b');
    cluster.isolated.add('c');
    cluster.restart('a');
    expect(cluster.core('a').status().voters).toEqual(['a', 'b', 'c']);
    cluster.tickAll(50);
    // Not even for a moment: a lone leader of the old members would have taken a new term.
    expect(cluster.core('a').status()).toMatchObject({ role: 'PreCandidate', term });
  });
});
