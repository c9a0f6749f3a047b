import { errorMessage } from '../lib/index.js';
import type { Logger } from '../lib/index.js';
import type { NodeId, RaftMessage, RaftStatus } from '../raft/index.js';
import type { PeerIdentity } from '../transport/index.js';

/** A node without a leader this long says so (an election takes well under a second). */
const LEADERLESS_WARN_MS = 10_000;
/** Each warning repeats at most this often while its cause lasts. */
const REPEAT_MS = 30_000;

/** What the watch reads from its node. */
export interface LeaderlessWatchPort {
  readonly self: NodeId;
  /** This node's gRPC address, for the add-node command it suggests. */
  readonly address: string;
  status(): RaftStatus;
  /** The other members and their addresses. */
  peerAddresses(): ReadonlyMap<NodeId, string>;
  /** Asks whoever listens at `address` which cluster it is of. */
  identify(address: string): Promise<PeerIdentity>;
  clusterId(): string | null;
  /** True once this node's log says it was removed (RemovalWatch says so itself). */
  removed(): boolean;
  nowMs(): number;
}

/**
 * What an operator needs when a node sits without a leader, or when a node that is not a
 * member asks for votes. The usual cause is a node started with `--peers` of a running cluster
 * without `chronos admin add-node` first, which otherwise leaves both sides silent: it
 * campaigns forever and the members reject it. A leaderless node asks each peer who it is and
 * logs what each said.
 */
export class LeaderlessWatch {
  readonly #port: LeaderlessWatchPort;
  readonly #log: Logger;
  /** When this node last had a leader (or started). */
  #leaderSeenMs: number;
  #warnedMs = -Infinity;
  /** When each non-member's campaign was last warned about. */
  readonly #strangersWarnedMs = new Map<NodeId, number>();

  constructor(port: LeaderlessWatchPort, log: Logger) {
    this.#port = port;
    this.#log = log;
    this.#leaderSeenMs = port.nowMs();
  }

  /** A message from a peer arrived: a campaign by a node outside the membership is warned about. */
  heard(message: RaftMessage): void {
    if (message.type !== 'vote') return;
    const { membership } = this.#port.status();
    if (membership.voters.includes(message.from) || (membership.learners ?? []).includes(message.from)) return;
    const nowMs = this.#port.nowMs();
    if (nowMs - (this.#strangersWarnedMs.get(message.from) ?? -Infinity) < REPEAT_MS) return;
    this.#strangersWarnedMs.set(message.from, nowMs);
    this.#log.warn(`${message.from} asks for votes but is not a member of this cluster (voters ` +
      `${membership.voters.join(',')}), so it is refused them; to add it, run chronos admin add-node ` +
      `${message.from}=HOST:PORT --http ADMIN_OF_A_MEMBER, otherwise stop it`, { from: message.from });
  }

  /** Called every tick: every 30 s while this node has had no leader for 10 s, asks its peers and warns. */
  check(): void {
    const nowMs = this.#port.nowMs();
    const status = this.#port.status();
    if (status.leader !== null || (status.voters.length === 1 && status.voters[0] === this.#port.self) || this.#port.removed()) {
      this.#leaderSeenMs = nowMs;
      return;
    }
    if (nowMs - this.#leaderSeenMs < LEADERLESS_WARN_MS || nowMs - this.#warnedMs < REPEAT_MS) return;
    this.#warnedMs = nowMs;
    this.#report(Math.round((nowMs - this.#leaderSeenMs) / 1000), status).catch((error: unknown) => {
      this.#log.warn('could not ask the peers why there is no leader', { error: errorMessage(error) });
    });
  }

  async #report(seconds: number, status: RaftStatus): Promise<void> {
    const peers = [...this.#port.peerAddresses()];
    const answers = await Promise.all(peers.map(async ([id, address]) => ({ id, address, answer: await this.#port.identify(address) })));
    const ours = this.#port.clusterId();
    // Peers that said the same are named together: a TLS mismatch reads once, not once per peer.
    const byWords = new Map<string, string[]>();
    for (const { id, address, answer } of answers) {
      const words = describe(answer, ours);
      byWords.set(words, [...(byWords.get(words) ?? []), `${id} (${address})`]);
    }
    const said = [...byWords].map(([words, names]) => `${names.join(', ')}: ${words}`).join('; ');
    const foreign = answers.some(({ answer }) => answer.kind !== 'unanswered' && answer.clusterId !== null && answer.clusterId !== ours);
    const fields = { term: status.term, role: status.role, voters: status.voters.join(',') };
    const hint = foreign && ours === null
      ? `they run a cluster this node has not joined: add it with chronos admin add-node ${this.#port.self}=` +
        `${this.#port.address} --http ADMIN_OF_A_MEMBER and it catches up by itself`
      : answers.every(({ answer }) => answer.kind === 'unanswered')
        ? 'check that they run and that this node reaches them (address, TLS on both sides, token)'
        : 'a majority of the voters must run and reach each other';
    this.#log.warn(`no leader for ${seconds} s; the peers: ${said}; ${hint}`, fields);
  }
}

function describe(answer: PeerIdentity, ours: string | null): string {
  switch (answer.kind) {
    case 'unanswered':
      return `does not answer: ${answer.message}`;
    case 'refused':
      return `refuses this node as of another cluster (it is of ${answer.clusterId})`;
    default:
      if (answer.clusterId === null) return 'answers, with no cluster yet';
      return answer.clusterId === ours ? 'answers, of this cluster' : `answers, of cluster ${answer.clusterId}`;
  }
}
