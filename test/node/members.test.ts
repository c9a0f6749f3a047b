import { describe, expect, it } from 'vitest';
import { ChronosError, isChronosError, silentLogger } from '../../src/lib/index.js';
import { changeMembership } from '../../src/node/members.js';
import { beforeProposing } from '../../src/node/write-outcome.js';
import type { MembershipPort } from '../../src/node/members.js';
import type { Membership } from '../../src/raft/types.js';

/** A leader `n1` of n1..n3 whose core refuses the first `busy` proposals as the real core does. */
function leaderPort(busy: number, refusal: () => Error = inProgress): MembershipPort & { proposed: Membership[]; waits: number } {
  let membership: Membership = { voters: ['n1', 'n2', 'n3'], addresses: { n1: 'a:1', n2: 'a:2', n3: 'a:3' } };
  const port = {
    self: 'n1',
    proposed: [] as Membership[],
    waits: 0,
    awaitLeader: () => Promise.resolve('n1'),
    handOver: () => Promise.resolve(),
    members: () => ({ membership, view: { voters: membership.voters, learners: [], addresses: membership.addresses ?? {} } }),
    passOn: () => Promise.reject(new Error('not expected: n1 leads')),
    propose: (next: Membership) => {
      if (port.proposed.length + port.waits < busy) {
        return Promise.reject(refusal());
      }
      port.proposed.push(next);
      membership = next;
      return Promise.resolve();
    },
    wait: () => {
      port.waits += 1;
      return Promise.resolve();
    },
    log: silentLogger,
  };
  return port;
}

/**
 * The core's refusal while an earlier change (or a new leader's first entry) is uncommitted, as
 * the driver's propose rejects with it: wrapped as NOT_APPLIED (the refusal is its cause).
 */
function inProgress(): Error {
  return beforeProposing(new ChronosError('UNAVAILABLE', 'a membership change is already in progress',
    { details: { pendingConfigIndex: 7 } })) as Error;
}

describe('changeMembership', () => {
  it('waits for an earlier change to commit instead of failing (a leader elected a moment ago)', async () => {
    const port = leaderPort(3);
    const view = await changeMembership({ action: 'remove', id: 'n3' }, port);
    expect(view.voters).toEqual(['n1', 'n2']);
    expect(port.waits).toBe(3);
    expect(port.proposed).toHaveLength(1);
  });

  it('gives up with the refusal after about 3 s of waiting', async () => {
    const port = leaderPort(Infinity);
    const error = await changeMembership({ action: 'remove', id: 'n3' }, port).catch((e: unknown) => e);
    expect(isChronosError(error, 'NOT_APPLIED')).toBe(true);
    expect(port.waits).toBe(59);
  });

  it('waits for lagging voters to catch up before a removal instead of failing', async () => {
    const lagging = (): Error => beforeProposing(new ChronosError('UNAVAILABLE',
      'removing a voter now would leave 1 of 2 remaining voters holding the committed log',
      { details: { caughtUp: 1, remainingVoters: 2, commitIndex: 9 } })) as Error;
    const port = leaderPort(2, lagging);
    const view = await changeMembership({ action: 'remove', id: 'n3' }, port);
    expect(view.voters).toEqual(['n1', 'n2']);
    expect(port.waits).toBe(2);
  });

  it('does not retry any other refusal', async () => {
    const port = leaderPort(1, () => new ChronosError('UNAVAILABLE', 'no quorum'));
    const error = await changeMembership({ action: 'remove', id: 'n3' }, port).catch((e: unknown) => e);
    expect((error as Error).message).toBe('no quorum');
    expect(port.waits).toBe(0);
  });

  it("refuses to add a node at a member's address or at a member's admin port", async () => {
    const port = leaderPort(0);
    port.members = () => ({ membership: { voters: ['n1'], addresses: { n1: '127.0.0.1:8000' } },
      view: { voters: ['n1'], learners: [], addresses: { n1: '127.0.0.1:8000' } } });
    await expect(changeMembership({ action: 'add', id: 'n5', address: '127.0.0.1:8000' }, port))
      .rejects.toThrow("127.0.0.1:8000 is member n1's address; give n5's own gRPC HOST:PORT");
    await expect(changeMembership({ action: 'add', id: 'n5', address: '127.0.0.1:9000' }, port))
      .rejects.toThrow('127.0.0.1:9000 is the admin HTTP port of member n1');
    expect(port.proposed).toEqual([]);
    await changeMembership({ action: 'add', id: 'n5', address: '127.0.0.1:8004' }, port);
    expect(port.proposed).toHaveLength(1);
  });
});
