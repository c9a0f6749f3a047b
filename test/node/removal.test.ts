import { describe, expect, it } from 'vitest';
import { encodeMembership } from '../../src/raft/index.js';
import type { Entry, Membership, RaftCore, RaftStatus } from '../../src/raft/index.js';
import { isRemovedAnswer, removalOf, removedMessage } from '../../src/node/removal.js';

function config(index: number, membership: Membership): Entry {
  return { index, term: 1, type: 'config', data: encodeMembership(membership) };
}

/** A core whose committed membership is `committed` and whose log holds `entries`. */
function core(committed: Membership, entries: readonly Entry[]): Pick<RaftCore, 'status' | 'logView'> {
  return {
    status: () => ({ membership: committed } as RaftStatus),
    logView: () => ({ snapshotIndex: 0, snapshotTerm: 0, entries }),
  };
}

const three: Membership = { voters: ['n1', 'n2', 'n3'] };
const command = (index: number): Entry => ({ index, term: 1, type: 'command', data: new Uint8Array() });

describe('removalOf: what a node\'s own log says about its membership', () => {
  it('a member: no removal', () => {
    expect(removalOf('n3', core(three, [config(1, three), command(2)]))).toBeNull();
  });

  it('the newest config entry leaves it out, committed or not: removed at that index', () => {
    const log = [config(1, three), command(2), config(3, { voters: ['n1', 'n2'] }), command(4)];
    expect(removalOf('n3', core(three, log))).toEqual({ index: 3, voters: ['n1', 'n2'] });
  });

  it('added back as a learner after the removal: a member again', () => {
    const log = [config(1, three), config(3, { voters: ['n1', 'n2'] }), config(5, { voters: ['n1', 'n2'], learners: ['n3'] })];
    expect(removalOf('n3', core(three, log))).toBeNull();
  });

  it('no config entry left in the log and the committed membership leaves it out: index unknown', () => {
    expect(removalOf('n3', core({ voters: ['n1', 'n2'] }, [command(9)]))).toEqual({ index: null, voters: ['n1', 'n2'] });
  });
});

describe('isRemovedAnswer: the client knows a removed node\'s answer, however it is wrapped', () => {
  it('as a read gets it, as a write gets it, and not a leaderless member\'s answer', () => {
    const answer = removedMessage('n3', '10.0.0.3:8002', { index: 4, voters: ['n1', 'n2'] });
    expect(isRemovedAnswer(answer)).toBe(true);
    expect(isRemovedAnswer(`127.0.0.1:8002: not applied, safe to retry: ${answer}`)).toBe(true);
    expect(isRemovedAnswer(removedMessage('n3', 'a:1', { index: null, voters: ['n1'] }))).toBe(true);
    expect(isRemovedAnswer('no leader elected within 5000 ms: a majority of nodes is unreachable')).toBe(false);
    expect(isRemovedAnswer('not applied, safe to retry: no leader known')).toBe(false);
  });
});
