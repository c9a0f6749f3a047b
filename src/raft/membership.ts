import { ChronosError } from '../lib/errors.js';
import type { Membership, NodeId } from './types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a membership as the data of a 'config' log entry (JSON: small and rare). */
export function encodeMembership(membership: Membership): Uint8Array {
  return encoder.encode(JSON.stringify({ voters: membership.voters }));
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
  if (typeof parsed === 'object' && parsed !== null && 'voters' in parsed) {
    const voters: unknown = parsed.voters;
    if (Array.isArray(voters) && voters.every((v): v is NodeId => typeof v === 'string')) {
      return { voters: [...voters] };
    }
  }
  throw new ChronosError('CORRUPTION', `config entry at index ${index} has no voters list`,
    { details: { index } });
}

/** True when `next` adds or removes at most one voter relative to `current` (thesis §4.1). */
export function isSingleServerChange(current: readonly NodeId[], next: readonly NodeId[]): boolean {
  const added = next.filter((id) => !current.includes(id)).length;
  const removed = current.filter((id) => !next.includes(id)).length;
  return added + removed <= 1 && next.length > 0;
}
