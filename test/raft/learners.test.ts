import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/random.js';
import { RaftCore } from '../../src/raft/index.js';
import { bytes, TestCluster } from './cluster.js';

const IDS = ['a', 'b', 'c'];

/**
 * A 3-voter cluster led by `a` with `d` started and added as a learner, caught up by the
 * messages that followed the commit; no tick yet, so the leader has not promoted it.
 */
function withLearner(): TestCluster {
  const cluster = new TestCluster(IDS).elect('a');
  for (let i = 0; i < 5; i += 1) cluster.core('a').propose(bytes(`w${i}`));
  cluster.stabilize();
  cluster.addNode('d', [...IDS, 'd']);
  cluster.core('a').proposeMembership({ voters: IDS, learners: ['d'] });
  cluster.stabilize();
  return cluster;
}

describe('learners', () => {
  it('a learner receives the whole log and the membership', () => {
    const cluster = withLearner();
    const leader = cluster.core('a').status();
    expect(leader.learners).toEqual(['d']);
    expect(cluster.core('d').status()).toMatchObject({
      lastIndex: leader.lastIndex, commitIndex: leader.commitIndex, voters: IDS, learners: ['d'],
    });
    expect(cluster.appliedText('d')).toEqual(cluster.appliedText('a'));
  });

  it('the leader promotes a learner once it has caught up', () => {
    const cluster = withLearner();
    cluster.tickAll(3);
    expect(cluster.core('a').status()).toMatchObject({ voters: [...IDS, 'd'], learners: [] });
    expect(cluster.core('d').status()).toMatchObject({ voters: [...IDS, 'd'], learners: [] });
  });

  it('a learner never counts toward a commit', () => {
    const cluster = withLearner();
    cluster.isolated.add('b');
    cluster.isolated.add('c');
    const before = cluster.core('a').status().commitIndex;
    cluster.core('a').propose(bytes('needs-a-voter'));
    cluster.stabilize();
    cluster.tickAll(2);
    // d holds the write and the leader's proposal to promote it; neither can commit.
    expect(cluster.core('a').matchIndexOf('d')).toBe(before + 2);
    expect(cluster.core('a').status()).toMatchObject({ commitIndex: before, learners: ['d'] });
    cluster.isolated.delete('b');
    cluster.tickAll(2);
    expect(cluster.core('a').status().commitIndex).toBeGreaterThan(before);
  });

  it('a learner never campaigns, however long it hears nothing', () => {
    const cluster = withLearner();
    const term = cluster.core('d').status().term;
    cluster.isolated.add('d');
    cluster.tickAll(100);
    expect(cluster.core('d').status()).toMatchObject({ role: 'Follower', term, learners: ['d'] });
  });

  it('a promoted learner votes and can lead; a removed voter stops receiving the log', () => {
    const cluster = withLearner();
    cluster.tickAll(3);
    expect(cluster.core('d').status()).toMatchObject({ voters: [...IDS, 'd'], learners: [] });
    cluster.core('a').transferLeadership('d');
    cluster.stabilize();
    cluster.tickAll(2);
    expect(cluster.leaders()).toEqual(['d']);
    cluster.core('d').proposeMembership({ voters: ['b', 'c', 'd'] });
    cluster.stabilize();
    cluster.tickAll(2);
    const lastOfA = cluster.core('a').status().lastIndex;
    cluster.core('d').propose(bytes('after-removal'));
    cluster.stabilize();
    cluster.tickAll(2);
    expect(cluster.core('a').status().lastIndex).toBe(lastOfA);
    expect(cluster.appliedText('b')).toContain('after-removal');
  });

  it('refuses a removal that would leave the remaining voters without a caught-up majority', () => {
    const voters = ['a', 'b', 'c', 'd', 'e'];
    const cluster = new TestCluster(voters);
    cluster.isolated.add('d');
    cluster.isolated.add('e');
    cluster.elect('a');
    for (let i = 0; i < 3; i += 1) cluster.core('a').propose(bytes(`w${i}`));
    cluster.stabilize();
    const core = cluster.core('a');
    // Without c only a and b of a, b, d, e hold the log: d and e (never caught up, so
    // recovering) could not outvote them, and nobody could be elected.
    expect(() => core.proposeMembership({ voters: ['a', 'b', 'd', 'e'] }))
      .toThrow(/leave 2 of 4 remaining voters holding the committed log/);
    expect(() => core.proposeMembership({ voters: ['b', 'c', 'd', 'e'] })).toThrow(/2 of 4/);
    core.proposeMembership({ voters: ['a', 'b', 'c', 'e'] });
    cluster.stabilize();
    expect(core.status().voters).toEqual(['a', 'b', 'c', 'e']);
  });

  it('a new leader changes no membership before its first entry commits, even from an empty log', () => {
    const core = new RaftCore({ id: 'a', voters: ['a', 'b', 'c', 'd', 'e'], preVote: false },
      { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] }, new Random(7));
    core.campaign();
    for (const from of ['b', 'c']) {
      core.step({ type: 'voteResponse', from, to: 'a', term: 1, preVote: false, granted: true, recovering: true });
    }
    expect(core.status().role).toBe('Leader');
    // With nothing committed yet every member would look caught up to index 0.
    expect(() => core.proposeMembership({ voters: ['b', 'c', 'd', 'e'] })).toThrow(/already in progress/);
  });

  it('refuses a change of more than one member, or a member both voter and learner', () => {
    const cluster = new TestCluster(IDS).elect('a');
    const core = cluster.core('a');
    expect(() => core.proposeMembership({ voters: IDS, learners: ['d', 'e'] })).toThrow(/exactly one member/);
    expect(() => core.proposeMembership({ voters: ['a', 'b', 'd'], learners: [] })).toThrow(/exactly one member/);
    expect(() => core.proposeMembership({ voters: IDS, learners: ['a'] })).toThrow(/both voter and learner/);
    expect(() => core.transferLeadership('zz')).toThrow(/not a voter/);
  });
});
