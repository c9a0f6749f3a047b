export { EdgeSync } from './edge-sync.js';
export type {
  ConnectivityState, EdgeSyncCounters, EdgeSyncOptions, OutboxReport, SyncLink, SyncStatus,
} from './edge-sync.js';
export { BackgroundCompaction } from './background-compaction.js';
export { createBackup, dataDirInUse, readBackupMeta, restoreBackup } from './backup.js';
export { readServingRecord, removeServingRecord, writeServingRecord } from './serving-record.js';
export type { ServingRecord } from './serving-record.js';
export { classifyDir, foreignDirError, notADirError } from './data-dir.js';
export { writeDirMarker } from './dir-marker.js';
export { dirBytes, recentDirBytes } from './dir-size.js';
export { startIngest } from './ingest-service.js';
export type { IngestObservers, RunningIngest } from './ingest-service.js';
export { checkPortsFree } from './listen-check.js';
export { checkNodeDataDir } from './node-dir.js';
export type { NodeRole, NodeStatus } from './node-status.js';
export { RaftNode } from './raft-node.js';
export type { RaftNodeOptions } from './raft-node-options.js';
export { readLeaseDurationMs } from './raft-node-options.js';
export { LocalNode } from './local-node.js';
export type { LocalNodeOptions } from './local-node.js';
export { systemEnvironment } from './node-environment.js';
export type { NodeEnvironment, PeerTransport, PeerTransportInit } from './node-environment.js';
export { nodePaths } from './restore.js';
export type { NodeLayout } from './restore.js';
export { installedSnapshotValue } from './installed-snapshot.js';
export type { StageTotal, WriteStage } from './write-stages.js';
export { outcomeUnknown } from './write-outcome.js';
export { isRemovedAnswer } from './removal.js';
