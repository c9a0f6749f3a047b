import { ChronosError } from '../lib/index.js';
import type { Membership, NodeId } from './types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a membership as the data of a 'config' log entry (JSON: small and rare). */
export function encodeMembership(membership: Membership): Uint8Array {
  return encoder.encode(JSON.stringify({
    voters: membership.voters,
    ...(membership.learners === undefined || membership.learners.length === 0
      ? {} : { learners: membership.learners }),
    ...(membership.addresses === undefined ? {} : { addresses: membership.addresses }),
  }));
}

/** Decodes a 'config' entry; throws CORRUPTION naming the index when it is malformed. */
export function decodeMembership(data: Uint8Array, index: number): Membership {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(data));
  } catch (cause) {
    throw new ChronosError('CORRUPTION', `config entry at index ${index} is not JSON`,
      { cause, details: { index } });
  }
  const bad = (what: string): never => {
    throw new ChronosError('CORRUPTION', `config entry at index ${index} ${what}`,
      { details: { index } });
  };
  if (typeof parsed !== 'object' || parsed === null) return bad('is not an object');
  const record = parsed as Record<string, unknown>;
  const voters = record['voters'];
  if (!isIdList(voters)) return bad('has no voters list');
  const learners = record['learners'] ?? [];
  if (!isIdList(learners)) return bad('has a malformed learners list');
  const addresses = record['addresses'];
  if (addresses !== undefined && !isAddressBook(addresses)) return bad('has malformed addresses');
  return {
    voters: [...voters],
    ...(learners.length === 0 ? {} : { learners: [...learners] }),
    ...(addresses === undefined ? {} : { addresses: { ...addresses } }),
  };
}

function isIdList(value: unknown): value is NodeId[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isAddressBook(value: unknown): value is Record<NodeId, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string');
}

/** A member's part in a membership: voter, learner, or not a member. */
function roleOf(membership: Membership, id: NodeId): 'voter' | 'learner' | 'none' {
  if (membership.voters.includes(id)) return 'voter';
  return membership.learners?.includes(id) === true ? 'learner' : 'none';
}

/**
 * Why `next` is not a safe step from `current`, or null when it is: one member changes its
 * part at a time (added, removed, or promoted from learner), so any two majorities of the
 * old and new voters overlap (thesis §4.1), and nobody is both voter and learner.
 */
export function membershipChangeProblem(current: Membership, next: Membership): string | null {
  if (next.voters.length === 0) return 'a cluster needs at least one voter';
  if (next.learners?.some((id) => next.voters.includes(id)) === true) {
    return 'a member cannot be both voter and learner';
  }
  const ids = new Set([...current.voters, ...(current.learners ?? []), ...next.voters,
    ...(next.learners ?? [])]);
  const changed = [...ids].filter((id) => roleOf(current, id) !== roleOf(next, id));
  if (changed.length > 1) {
    return `membership change from [${current.voters.join(',')}] to [${next.voters.join(',')}] ` +
      'must add, remove or promote exactly one member (changed: ' + changed.join(',') + ')';
  }
  return null;
}
