import { describe, expect, it } from 'vitest';
import { isChronosError } from '../../src/lib/errors.js';
import { TestCluster, bytes } from './cluster.js';

const IDS = ['a', 'b', 'c'];

describe('ReadIndex', () => {
  it('the leader confirms leadership with a heartbeat round before the read state', () => {
    const cluster = new TestCluster(IDS).elect('a');
    cluster.core('a').propose(bytes('x=1'));
    cluster.stabilize();
    cluster.core('a').readIndex(7);
    cluster.processReadies();
    expect(cluster.node('a').readStates).toEqual([]);
    expect(cluster.inflight.filter((m) => m.type === 'append' && m.readContext > 0))
      .toHaveLength(2);
    cluster.stabilize();
    expect(cluster.node('a').readStates).toEqual([{ requestId: 7, index: 2 }]);
  });

  it('reads of one Ready cycle share a heartbeat round; a read after it starts its own', () => {
    const cluster = new TestCluster(IDS).elect('a');
    cluster.core('a').propose(bytes('x=1'));
    cluster.stabilize();
    const heartbeats = (): number => cluster.inflight.filter((m) => m.type === 'append' && m.readContext > 0).length;
    for (const id of [1, 2, 3, 4]) cluster.core('a').readIndex(id);
    cluster.processReadies();
    expect(heartbeats()).toBe(2);
    // The round's heartbeats are out: a read now must not count on their acknowledgements,
    // which may have been sent before it arrived.
    cluster.core('a').readIndex(5);
    for (let step = 0; step < 2; step++) {
      cluster.deliver();
      cluster.processReadies();
    }
    expect(cluster.node('a').readStates.map((r) => r.requestId)).toEqual([1, 2, 3, 4]);
    cluster.stabilize();
    expect(cluster.node('a').readStates.map((r) => r.requestId)).toEqual([1, 2, 3, 4, 5]);
  });

  it('an isolated leader never confirms a read', () => {
    const cluster = new TestCluster(IDS).elect('a');
    cluster.isolated.add('a');
    cluster.core('a').readIndex(1);
    cluster.tickAll(5);
    expect(cluster.node('a').readStates).toEqual([]);
  });

  it('a follower gets its read index from the leader', () => {
    const cluster = new TestCluster(IDS).elect('a');
    cluster.core('a').propose(bytes('x=1'));
    cluster.stabilize();
    cluster.core('b').readIndex(9);
    cluster.stabilize();
    expect(cluster.node('b').readStates).toEqual([{ requestId: 9, index: 2 }]);
  });

  it("a follower's reads of one Ready cycle go to the leader as one request and are all served", () => {
    const cluster = new TestCluster(IDS).elect('a');
    cluster.core('a').propose(bytes('x=1'));
    cluster.stabilize();
    for (const id of [21, 22, 23]) cluster.core('b').readIndex(id);
    cluster.processReadies();
    expect(cluster.inflight.filter((m) => m.type === 'readIndex')).toHaveLength(1);
    cluster.core('b').readIndex(24);
    cluster.processReadies();
    expect(cluster.inflight.filter((m) => m.type === 'readIndex')).toHaveLength(2);
    cluster.stabilize();
    expect(cluster.node('b').readStates).toEqual([21, 22, 23, 24].map((requestId) => ({ requestId, index: 2 })));
  });

  it('a new leader defers reads until its noop commits', () => {
    const cluster = new TestCluster(IDS, { preVote: false });
    cluster.core('a').campaign();
    cluster.processReadies();
    cluster.deliver();
    cluster.processReadies();
    cluster.deliver();
    expect(cluster.core('a').status().role).toBe('Leader');
    expect(cluster.core('a').canServeReads()).toBe(false);
    cluster.core('a').readIndex(3);
    cluster.processReadies();
    expect(cluster.node('a').readStates).toEqual([]);
    cluster.stabilize();
    expect(cluster.node('a').readStates).toEqual([{ requestId: 3, index: 1 }]);
  });

  it('a node that knows no leader refuses with NOT_LEADER', () => {
    const cluster = new TestCluster(IDS);
    let caught: unknown;
    try {
      cluster.core('b').readIndex(1);
    } catch (error) {
      caught = error;
    }
    expect(isChronosError(caught, 'NOT_LEADER')).toBe(true);
  });
});

describe('membership changes', () => {
  it('adds a fourth voter, then removes one, one server at a time', () => {
    const cluster = new TestCluster(['a', 'b', 'c', 'd'], { voters: ['a', 'b', 'c'] }).elect('a');
    cluster.core('a').proposeMembership({ voters: ['a', 'b', 'c', 'd'] });
    cluster.stabilize();
    cluster.tickAll(2);
    for (const id of ['a', 'b', 'c', 'd']) {
      expect(cluster.core(id).status().voters).toEqual(['a', 'b', 'c', 'd']);
    }
    cluster.core('a').propose(bytes('x=1'));
    cluster.stabilize();
    cluster.tickAll(1);
    expect(cluster.appliedText('d')).toEqual(['x=1']);
    expect(() => cluster.core('a').proposeMembership({ voters: ['a'] })).toThrow(/exactly one member/);
    cluster.core('a').proposeMembership({ voters: ['a', 'b', 'd'] });
    cluster.stabilize();
    cluster.tickAll(1);
    expect(cluster.core('b').status().voters).toEqual(['a', 'b', 'd']);
  });

  it('a leader that removes itself steps down once the change commits', () => {
    const cluster = new TestCluster(IDS).elect('a');
    cluster.core('a').proposeMembership({ voters: ['b', 'c'] });
    cluster.stabilize();
    expect(cluster.core('a').status().role).toBe('Follower');
    cluster.tickAll(30);
    expect(cluster.leaders().length).toBe(1);
    expect(['b', 'c']).toContain(cluster.leaders()[0]);
    expect(cluster.core('a').status().role).toBe('Follower');
  });
});
