import { ChronosError, isChronosError } from '../lib/index.js';
import type { Logger } from '../lib/index.js';
import type { RaftCore, MemberChange, Membership, MembersView, NodeId } from '../raft/index.js';

export type { MemberChange, MembersView };

/** An address peers can dial: not a wildcard bind address. */
function isDialable(address: string): boolean {
  return !/^(0\.0\.0\.0|\[::\]|::):/.test(address);
}

/**
 * Every member's address: the replicated book first (it follows changes made after this node
 * first started), else `--peers`, else this node's own `--address` for itself.
 */
export function addressBook(
  membership: Membership, self: NodeId, selfAddress: string, cliPeers: ReadonlyMap<NodeId, string>,
): Record<NodeId, string> {
  const book: Record<NodeId, string> = {};
  for (const id of [...membership.voters, ...(membership.learners ?? [])]) {
    const address = membership.addresses?.[id] ??
      cliPeers.get(id) ?? (id === self && isDialable(selfAddress) ? selfAddress : undefined);
    if (address !== undefined) book[id] = address;
  }
  return book;
}

/** The peers this node dials: every other member whose address is known. */
export function peerAddresses(
  membership: Membership, self: NodeId, cliPeers: ReadonlyMap<NodeId, string>,
): Map<NodeId, string> {
  const peers = new Map<NodeId, string>();
  const book = addressBook(membership, self, '', cliPeers);
  for (const [id, address] of Object.entries(book)) if (id !== self) peers.set(id, address);
  return peers;
}

/**
 * The membership after `change`, or null when it is already in effect (a retried request).
 * A node is added as a learner (the leader promotes it once it has caught up).
 */
export function nextMembership(
  current: Membership, book: Readonly<Record<NodeId, string>>, change: MemberChange,
): Membership | null {
  const learners = current.learners ?? [];
  const isMember = current.voters.includes(change.id) || learners.includes(change.id);
  if (change.action === 'add') {
    if (isMember) {
      const known = book[change.id];
      if (known === undefined || known === change.address) return null;
      throw new ChronosError('INVALID_ARGUMENT',
        `${change.id} is already a member at ${known}; remove it first to change its address`);
    }
    refuseTakenAddress(book, change.id, change.address);
    return { voters: current.voters, learners: [...learners, change.id],
      addresses: { ...book, [change.id]: change.address } };
  }
  if (!isMember) return null;
  const voters = current.voters.filter((id) => id !== change.id);
  if (voters.length === 0) {
    throw new ChronosError('INVALID_ARGUMENT', `${change.id} is the last voter; it cannot be removed`);
  }
  const addresses = { ...book };
  delete addresses[change.id];
  return { voters, learners: learners.filter((id) => id !== change.id), addresses };
}

/**
 * Refuses an address a member already has, or its admin port (gRPC port + 1000): the leader
 * would send the new node's appends to that member, which drops them, twenty times a second.
 */
function refuseTakenAddress(book: Readonly<Record<NodeId, string>>, id: NodeId, address: string): void {
  for (const [member, taken] of Object.entries(book)) {
    const admin = taken.replace(/:(\d+)$/, (_all, port: string) => `:${Number(port) + 1000}`);
    if (address !== taken && address !== admin) continue;
    throw new ChronosError('INVALID_ARGUMENT', `${address} is ${address === taken ? '' : 'the admin HTTP port of '}` +
      `member ${member}${address === taken ? "'s address" : ''}; give ${id}'s own gRPC HOST:PORT`, { details: { member, address } });
  }
}

/** The view of a membership the admin API answers with. */
export function membersView(membership: Membership, book: Readonly<Record<NodeId, string>>): MembersView {
  return { voters: membership.voters, learners: membership.learners ?? [], addresses: book };
}

/** The most caught-up voter other than the leader itself: where leadership goes. */
export function handOverTarget(core: Pick<RaftCore, 'status' | 'matchIndexOf'>): NodeId | null {
  const { id, voters } = core.status();
  const matchOf = (voter: NodeId): number => core.matchIndexOf(voter) ?? 0;
  return voters.filter((voter) => voter !== id).sort((a, b) => matchOf(b) - matchOf(a))[0] ?? null;
}

/** What changing the membership needs from the node. */
export interface MembershipPort {
  readonly self: NodeId;
  awaitLeader(): Promise<NodeId>;
  /** Hands leadership to another voter (returns when done or given up). */
  handOver(): Promise<void>;
  members(): { readonly membership: Membership; readonly view: MembersView };
  /** Sends the change to the leader and returns its answer. */
  passOn(leader: NodeId): Promise<MembersView>;
  /** Proposes `next` on this leader; resolves once committed and applied. */
  propose(next: Membership): Promise<void>;
  /** Resolves after `ms`: the pause between tries while an earlier change commits. */
  wait(ms: number): Promise<void>;
  readonly log: Logger;
}

/** How long a change waits for an earlier one (or a new leader's first entry) to commit. */
const BUSY_RETRY_MS = 50;
const BUSY_RETRIES = 60;

/**
 * True for the core's refusals that pass by themselves: an earlier membership change not yet
 * committed, or a removal while too few remaining voters hold the committed log (a follower a
 * few entries behind); also when wrapped (as the NOT_APPLIED answer a refused proposal gets).
 */
function isChangeInProgress(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (!isChronosError(e, 'UNAVAILABLE')) continue;
    if (e.details['pendingConfigIndex'] !== undefined || e.details['caughtUp'] !== undefined) return true;
  }
  return false;
}

/**
 * Makes `change` on the leader, passing it on from a follower; see RaftNode.changeMembership.
 * While an earlier change is still uncommitted (a new leader counts its whole log as one until
 * its first entry commits), or a removal waits for the remaining voters to catch up, the change
 * retries for up to ~3 s instead of failing.
 */
export async function changeMembership(change: MemberChange, port: MembershipPort): Promise<MembersView> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await changeOnce(change, port);
    } catch (error) {
      if (!isChangeInProgress(error) || attempt >= BUSY_RETRIES) throw error;
      await port.wait(BUSY_RETRY_MS);
    }
  }
}

async function changeOnce(change: MemberChange, port: MembershipPort): Promise<MembersView> {
  let leader = await port.awaitLeader();
  if (leader === port.self) {
    const { membership, view } = port.members();
    const next = nextMembership(membership, view.addresses, change);
    if (next === null) return view;
    if (change.action === 'add' || change.id !== port.self) {
      await port.propose(next);
      port.log.info('membership changed', { action: change.action, id: change.id });
      return port.members().view;
    }
    await port.handOver();
    leader = await port.awaitLeader();
    if (leader === port.self) {
      throw new ChronosError('UNAVAILABLE', `leader ${port.self} could not hand leadership over ` +
        'before removing itself; nothing was changed, try again');
    }
  }
  return port.passOn(leader);
}
