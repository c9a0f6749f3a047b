export { RaftCore } from './raft-core.js';
export { committedBeforePersist, mayPrecedePersist, mustPersist } from './ready.js';
export { resolveRaftConfig } from './config.js';
export type { RaftConfig, ResolvedRaftConfig } from './config.js';
export { encodeMembership, decodeMembership } from './membership.js';
export type {
  Ready, ReadState, Snapshot, RaftRole, RaftStatus, RestoredState,
} from './ready.js';
export type * from './types.js';
export type * from './messages.js';
