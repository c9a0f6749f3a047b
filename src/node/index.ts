export { EdgeSync } from './edge-sync.js';
export type {
  ConnectivityState, EdgeSyncCounters, EdgeSyncOptions, OutboxReport, SyncLink, SyncStatus,
} from './edge-sync.js';
export { BackgroundCompaction } from './background-compaction.js';
export { createBackup, restoreBackup } from './backup.js';
export { classifyDir, foreignDirError, notADirError } from './data-dir.js';
export { writeDirMarker } from './dir-marker.js';
export { dirBytes } from './dir-size.js';
export { startIngest } from './ingest-service.js';
export type { IngestObservers, RunningIngest } from './ingest-service.js';
export { checkPortsFree } from './listen-check.js';
export { checkNodeDataDir } from './node-dir.js';
export type { NodeRole, NodeStatus } from './node-status.js';
export { RaftNode } from './raft-node.js';
export type { RaftNodeOptions } from './raft-node-options.js';
