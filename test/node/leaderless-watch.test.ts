import { describe, expect, it } from 'vitest';
import { Logger } from '../../src/lib/index.js';
import type { LogRecord } from '../../src/lib/index.js';
import { LeaderlessWatch } from '../../src/node/leaderless-watch.js';
import type { RaftStatus, VoteRequest } from '../../src/raft/index.js';
import type { PeerIdentity } from '../../src/transport/index.js';

const PEERS = new Map([['node1', '10.0.0.1:8000'], ['node2', '10.0.0.2:8001']]);

function watchOf(answers: ReadonlyMap<string, PeerIdentity>, ours: string | null) {
  const lines: LogRecord[] = [];
  const clock = { ms: 1_000 };
  const state = { leader: null as string | null, removed: false };
  const status = (): RaftStatus => ({
    id: 'node4', role: 'PreCandidate', term: 0, leader: state.leader, commitIndex: 0, appliedIndex: 0, lastIndex: 0,
    firstIndex: 1, voters: ['node4', 'node1', 'node2'], learners: [], membership: { voters: ['node1', 'node2', 'node4'] }, recovering: true,
  });
  const watch = new LeaderlessWatch({
    self: 'node4', address: '10.0.0.4:8003', status, peerAddresses: () => PEERS,
    identify: (address) => Promise.resolve(answers.get(address) ?? { kind: 'unanswered', message: 'connection refused' }),
    clusterId: () => ours, removed: () => state.removed, nowMs: () => clock.ms,
  }, new Logger({ sinks: [{ write: (record) => lines.push(record) }], level: 'info' }));
  /** Ticks every 50 ms for `ms`, letting each check's questions be answered. */
  const run = async (ms: number): Promise<void> => {
    for (const end = clock.ms + ms; clock.ms < end; clock.ms += 50) {
      watch.check();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { watch, lines, state, run };
}

const vote = (from: string): VoteRequest => ({ type: 'vote', from, to: 'node1', term: 1, preVote: true,
  lastLogIndex: 0, lastLogTerm: 0, leadershipTransfer: false, recovering: true });

describe('LeaderlessWatch', () => {
  it('says nothing while a leader is known, or once removed (the removal says why), however long', async () => {
    const { lines, state, run } = watchOf(new Map(), null);
    state.leader = 'node1';
    await run(60_000);
    state.leader = null;
    state.removed = true;
    await run(60_000);
    expect(lines).toEqual([]);
  });

  it('after 10 s without a leader names the cluster its peers run and the add-node to type; again only after 30 s', async () => {
    const cluster = { kind: 'answered', clusterId: 'ab'.repeat(16) } as const;
    const { lines, run } = watchOf(new Map([['10.0.0.1:8000', cluster], ['10.0.0.2:8001', cluster]]), null);
    await run(9_900);
    expect(lines).toEqual([]);
    await run(200);
    expect(lines.map((l) => l.message)).toEqual([`no leader for 10 s; the peers: node1 (10.0.0.1:8000), node2 (10.0.0.2:8001): ` +
      `answers, of cluster ${'ab'.repeat(16)}; they run a cluster this node has not joined: add it with chronos admin add-node ` +
      'node4=10.0.0.4:8003 --http ADMIN_OF_A_MEMBER and it catches up by itself']);
    expect(lines[0]?.level).toBe('warn');
    await run(29_000);
    expect(lines).toHaveLength(1);
    await run(1_100);
    expect(lines).toHaveLength(2);
    expect(lines[1]?.message).toMatch(/^no leader for 40 s/);
  });

  it('peers that do not answer: each reason, and to check that they run and are reached', async () => {
    const { lines, run } = watchOf(new Map([['10.0.0.2:8001', { kind: 'unanswered', message: 'likely a TLS mismatch' }]]), null);
    await run(10_100);
    expect(lines.map((l) => l.message)).toEqual(['no leader for 10 s; the peers: node1 (10.0.0.1:8000): does not answer: ' +
      'connection refused; node2 (10.0.0.2:8001): does not answer: likely a TLS mismatch; check that they run and that ' +
      'this node reaches them (address, TLS on both sides, token)']);
  });

  it('members of its own cluster answering: a majority must run and reach each other', async () => {
    const { lines, run } = watchOf(new Map([['10.0.0.1:8000', { kind: 'answered', clusterId: 'c1' }]]), 'c1');
    await run(10_100);
    expect(lines[0]?.message).toMatch(/node1 \(10\.0\.0\.1:8000\): answers, of this cluster; .*a majority of the voters must run and reach each other$/);
  });

  it("warns of a non-member's campaign once per 30 s, and never of a member's", async () => {
    const { watch, lines, state, run } = watchOf(new Map(), 'c1');
    state.leader = 'node1';
    watch.heard(vote('node2'));
    watch.heard(vote('node9'));
    watch.heard(vote('node9'));
    expect(lines.map((l) => l.message)).toEqual(['node9 asks for votes but is not a member of this cluster (voters ' +
      'node1,node2,node4), so it is refused them; to add it, run chronos admin add-node node9=HOST:PORT --http ' +
      'ADMIN_OF_A_MEMBER, otherwise stop it']);
    await run(30_000);
    watch.heard(vote('node9'));
    expect(lines).toHaveLength(2);
  });
});
