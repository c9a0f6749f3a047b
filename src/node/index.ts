export { EdgeSync } from './edge-sync.js';
export type {
  ConnectivityState, EdgeSyncCounters, EdgeSyncOptions, OutboxReport, SyncLink, SyncStatus,
} from './edge-sync.js';
