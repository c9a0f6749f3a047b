import { ChronosError } from '../lib/index.js';
import type { Logger } from '../lib/index.js';
import { decodeMembership } from '../raft/index.js';
import type { Membership, NodeId, RaftCore } from '../raft/index.js';

/** How this node knows it is no longer a member of its cluster. */
export interface Removal {
  /** The config entry that removed it; null when only a snapshot's membership says so. */
  readonly index: number | null;
  /** The voters after the removal. */
  readonly voters: readonly NodeId[];
}

function isMember(membership: Membership, id: NodeId): boolean {
  return membership.voters.includes(id) || membership.learners?.includes(id) === true;
}

/**
 * Whether `self` was removed, as far as its own log tells: the newest membership it holds
 * (its newest config entry, committed or not, else the committed one) leaves it out. The
 * entry need not be committed here: a leader stops replicating to a member once it removes
 * it, so the removed node seldom hears its removal commit. Null while it is a member.
 */
export function removalOf(self: NodeId, core: Pick<RaftCore, 'status' | 'logView'>): Removal | null {
  const { entries } = core.logView();
  for (let i = entries.length - 1; i >= 0; i -= 1) {
    const entry = entries[i];
    if (entry === undefined || entry.type !== 'config') continue;
    const membership = decodeMembership(entry.data, entry.index);
    return isMember(membership, self) ? null : { index: entry.index, voters: membership.voters };
  }
  const { membership } = core.status();
  return isMember(membership, self) ? null : { index: null, voters: membership.voters };
}

/** The words of every removed node's answer that no other answer holds (`isRemovedAnswer`). */
const REMOVED_WORDS = 'so it has no leader and serves no statements';

/** What a removed node answers clients and writes in its log: what happened, what to do. */
export function removedMessage(self: NodeId, address: string, removal: Removal): string {
  const by = removal.index === null
    ? 'by a membership change' : `by the membership change at log index ${removal.index}`;
  const voters = [...removal.voters].sort().join(', ');
  return `node ${self} was removed from the cluster ${by} (voters now: ${voters}), ` +
    `${REMOVED_WORDS}: send them to a member; to bring this node ` +
    `back, run 'chronos admin add-node ${self}=${address} --http MEMBER_ADMIN_ADDRESS' while it ` +
    'runs, or stop it (see "Adding and removing nodes" in docs/operations.md)';
}

/**
 * True when a client's error is a removed node's answer (`removedMessage`), whatever wraps it:
 * a read gets it as it is, a write as "not applied, safe to retry: ...". Only the text crosses
 * the wire both ways (a gRPC status, or a SqlResponse's error), so the text is what is read.
 */
export function isRemovedAnswer(message: string): boolean {
  return /\bnode \S+ was removed from the cluster\b/.test(message) && message.includes(REMOVED_WORDS);
}

/**
 * Keeps `removalOf` for the node's status and its leaderless requests. A node with a leader
 * is a member (the leader replicates to it), so the log is only read while there is none,
 * and again only once the log or its commit moved. Logs one warning when a removal is found.
 */
export class RemovalWatch {
  readonly #self: NodeId;
  readonly #address: string;
  readonly #core: Pick<RaftCore, 'status' | 'logView'>;
  readonly #log: Logger;
  #key = '';
  #removal: Removal | null = null;

  constructor(self: NodeId, address: string, core: Pick<RaftCore, 'status' | 'logView'>, log: Logger) {
    this.#self = self;
    this.#address = address;
    this.#core = core;
    this.#log = log;
  }

  /** The removal as the log tells it now; null while this node is a member (or has a leader). */
  current(): Removal | null {
    const status = this.#core.status();
    if (status.leader !== null) return null;
    const key = `${status.firstIndex}:${status.lastIndex}:${status.commitIndex}`;
    if (key === this.#key) return this.#removal;
    this.#key = key;
    const before = this.#removal;
    this.#removal = removalOf(this.#self, this.#core);
    if (this.#removal !== null && before?.index !== this.#removal.index) this.#log.warn(this.message(this.#removal));
    return this.#removal;
  }

  /** The one line clients and the log get for `removal`. */
  message(removal: Removal): string {
    return removedMessage(this.#self, this.#address, removal);
  }

  /** Throws the removal as UNAVAILABLE when this node was removed. */
  assertMember(): void {
    const removal = this.current();
    if (removal !== null) throw new ChronosError('UNAVAILABLE', this.message(removal));
  }
}
