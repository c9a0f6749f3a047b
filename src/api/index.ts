export { buildAdminApp } from './admin-http.js';
export type { AdminDependencies } from './admin-http.js';
export { NodeMetrics } from './metrics.js';
export { EdgeSyncMetrics } from './sync-metrics.js';
export { syncTargetHandler } from './sync-target.js';
export { sqlHandler } from './sql-handler.js';
export type { SqlHandlerDependencies } from './sql-handler.js';
export { ADD_NODE_PATH, REMOVE_NODE_PATH } from './membership-routes.js';
// The gRPC surface has an index of its own: a client (chronos client, bench) loads just it.
export * from './grpc/index.js';
