import { describe, expect, it } from 'vitest';
import { ReadLease } from '../../src/raft/read-lease.js';
import { TestCluster, bytes } from './cluster.js';

const IDS = ['a', 'b', 'c'];
const LEASE_MS = 500;

/** A cluster whose leader `a` leads with a read lease on the returned fake clock. */
function leasedCluster(): { cluster: TestCluster; clock: { ms: number } } {
  const clock = { ms: 0 };
  const cluster = new TestCluster(IDS, { readLease: { nowMs: () => clock.ms, durationMs: LEASE_MS } });
  // Past the boot quiet, in which a node that just started ignores campaigns.
  for (const id of IDS) cluster.isolated.add(id);
  for (const id of IDS) cluster.tick(id, 10);
  cluster.stabilize();
  cluster.isolated.clear();
  cluster.elect('a');
  cluster.core('a').propose(bytes('x=1'));
  cluster.stabilize();
  return { cluster, clock };
}

const heartbeatRounds = (cluster: TestCluster): number =>
  cluster.inflight.filter((m) => m.type === 'append' && m.entries.length === 0 && m.readContext > 0).length;

describe('ReadLease', () => {
  it('lasts from the start of the newest round a majority acknowledged', () => {
    let now = 100;
    const lease = new ReadLease({ nowMs: () => now, durationMs: LEASE_MS });
    expect(lease.holds(1)).toBe(false);
    lease.roundStarted(1);
    now = 200;
    lease.roundStarted(2);
    now = 300;
    lease.confirmed(1);
    expect(lease.holds(1)).toBe(true);
    now = 599;
    expect(lease.holds(1)).toBe(true);
    now = 600;
    expect(lease.holds(1)).toBe(false);
    lease.confirmed(2);
    expect(lease.holds(1)).toBe(true);
    now = 700;
    expect(lease.holds(1)).toBe(false);
  });

  it('forgets rounds started before a revoke, and holds nothing in a revoked term', () => {
    let now = 0;
    const lease = new ReadLease({ nowMs: () => now, durationMs: LEASE_MS });
    lease.roundStarted(1);
    lease.revoke();
    lease.confirmed(1);
    expect(lease.holds(1)).toBe(false);
    lease.roundStarted(2);
    lease.revokeForTerm(1);
    lease.roundStarted(3);
    now = 10;
    lease.confirmed(3);
    expect(lease.holds(1)).toBe(false);
    expect(lease.holds(2)).toBe(true);
  });

  it('is never held when leases are off', () => {
    const lease = new ReadLease(null);
    lease.roundStarted(1);
    lease.confirmed(1);
    expect(lease.holds(1)).toBe(false);
    expect(lease.enabled).toBe(false);
  });
});

describe('reads under a leader lease', () => {
  it('a leader whose heartbeats a majority answered serves reads without a round', () => {
    const { cluster, clock } = leasedCluster();
    cluster.tick('a'); // a periodic heartbeat round renews the lease
    cluster.stabilize();
    clock.ms = LEASE_MS - 1;
    cluster.core('a').readIndex(7);
    cluster.processReadies();
    expect(cluster.node('a').readStates).toEqual([{ requestId: 7, index: 2 }]);
    expect(heartbeatRounds(cluster)).toBe(0);
    expect(cluster.core('a').leaderReads()).toEqual({ lease: 1, round: 0 });
  });

  it('a forwarded read is answered at once, one hop instead of two', () => {
    const { cluster } = leasedCluster();
    cluster.tick('a');
    cluster.stabilize();
    cluster.core('b').readIndex(9);
    cluster.processReadies();
    cluster.deliver(); // b's request reaches a
    cluster.processReadies();
    expect(heartbeatRounds(cluster)).toBe(0);
    cluster.stabilize();
    expect(cluster.node('b').readStates).toEqual([{ requestId: 9, index: 2 }]);
  });

  it('an expired lease falls back to a heartbeat round', () => {
    const { cluster, clock } = leasedCluster();
    cluster.tick('a');
    cluster.stabilize();
    clock.ms = LEASE_MS;
    cluster.core('a').readIndex(7);
    cluster.processReadies();
    expect(cluster.node('a').readStates).toEqual([]);
    expect(heartbeatRounds(cluster)).toBe(2);
    cluster.stabilize();
    expect(cluster.node('a').readStates).toEqual([{ requestId: 7, index: 2 }]);
    expect(cluster.core('a').leaderReads()).toEqual({ lease: 0, round: 1 });
  });

  it('a leader cut off from the majority stops serving once its lease ends', () => {
    const { cluster, clock } = leasedCluster();
    cluster.tick('a');
    cluster.stabilize();
    cluster.isolated.add('a');
    clock.ms = LEASE_MS;
    cluster.tick('a');
    cluster.core('a').readIndex(1);
    cluster.tickAll(5);
    expect(cluster.node('a').readStates).toEqual([]);
  });

  it('a leader that starts a leadership transfer holds no lease for the rest of its term', () => {
    const { cluster } = leasedCluster();
    cluster.tick('a');
    cluster.stabilize();
    cluster.filter = (m) => m.type !== 'timeoutNow';
    cluster.core('a').transferLeadership('b');
    cluster.stabilize();
    cluster.tick('a');
    cluster.stabilize();
    cluster.core('a').readIndex(3);
    cluster.processReadies();
    expect(cluster.node('a').readStates).toEqual([]);
    expect(heartbeatRounds(cluster)).toBe(2);
  });

  it('a membership change forgets the lease until a round under the new members is answered', () => {
    const { cluster } = leasedCluster();
    cluster.tick('a');
    cluster.stabilize();
    cluster.addNode('d', IDS);
    cluster.core('a').proposeMembership({ voters: IDS, learners: ['d'] });
    cluster.core('a').readIndex(4);
    cluster.processReadies();
    expect(cluster.node('a').readStates).toEqual([]);
    cluster.stabilize();
    cluster.core('a').readIndex(5);
    cluster.processReadies();
    expect(cluster.node('a').readStates.map((r) => r.requestId)).toEqual([4, 5]);
  });

  it('a node that just started ignores campaigns for an election timeout', () => {
    const { cluster } = leasedCluster();
    cluster.restart('c');
    cluster.isolated.add('a');
    cluster.core('b').campaign();
    cluster.stabilize();
    expect(cluster.core('b').status().role).not.toBe('Leader');
    cluster.isolated.add('c'); // c's own campaigns go nowhere meanwhile
    cluster.tick('c', 10);
    cluster.stabilize();
    cluster.isolated.delete('c');
    cluster.core('b').campaign();
    cluster.stabilize();
    expect(cluster.core('b').status().role).toBe('Leader');
  });
});
