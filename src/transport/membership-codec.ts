import { ChronosError } from '../lib/index.js';
import type { MemberChange, MembersView } from '../raft/index.js';
import { asObject, readArray, readString } from './proto-read.js';

/** A MemberChange as its proto object. */
export function membershipChangeToProto(change: MemberChange): Record<string, unknown> {
  return { action: change.action, id: change.id, address: change.action === 'add' ? change.address : '' };
}

/** Decodes a MemberChange; INVALID_ARGUMENT names what is wrong. */
export function membershipChangeFromProto(value: unknown): MemberChange {
  const proto = asObject(value, 'MembershipChangeRequest');
  const action = readString(proto, 'action');
  const id = readString(proto, 'id');
  if (id === '') throw new ChronosError('INVALID_ARGUMENT', 'membership change without a node id');
  if (action === 'remove') return { action, id };
  if (action === 'add') {
    const address = readString(proto, 'address');
    if (address === '') throw new ChronosError('INVALID_ARGUMENT', `adding ${id} needs its address`);
    return { action, id, address };
  }
  throw new ChronosError('INVALID_ARGUMENT', `unknown membership action '${action}'`);
}

/** A MembershipView as its proto object. */
export function membershipViewToProto(view: MembersView): Record<string, unknown> {
  return { voters: [...view.voters], learners: [...view.learners], addresses: { ...view.addresses } };
}

/** Decodes a MembershipView. */
export function membershipViewFromProto(value: unknown): MembersView {
  const proto = asObject(value, 'MembershipView');
  const strings = (field: string): string[] => readArray(proto, field).map((v) => String(v));
  const rawAddresses: unknown = proto['addresses'];
  const addresses: Record<string, string> = {};
  if (typeof rawAddresses === 'object' && rawAddresses !== null) {
    for (const [id, address] of Object.entries(rawAddresses)) addresses[id] = String(address);
  }
  return { voters: strings('voters'), learners: strings('learners'), addresses };
}
