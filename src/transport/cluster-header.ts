import type { Metadata, ServiceError } from '@grpc/grpc-js';
import { ChronosError } from '../lib/index.js';

/**
 * Metadata key on every node-to-node call: the sender's cluster id. Absent while the sender
 * has none yet (a brand-new or wiped node), so such a node can still join and catch up.
 */
export const CLUSTER_HEADER = 'x-chronos-cluster';

/** Where a refusal names the refusing node's own cluster (for the sender's one line). */
const REFUSER_CLUSTER_HEADER = 'x-chronos-refuser-cluster';

/** A cluster id as written in metadata: 128 random bits in hex (see node/cluster-identity). */
const CLUSTER_ID_PATTERN = /^[0-9a-f]{32}$/;

/** Adds the sender's cluster id to outgoing call metadata (nothing while it has none). */
export function withClusterId(metadata: Metadata, clusterId: string | null): Metadata {
  if (clusterId !== null) metadata.set(CLUSTER_HEADER, clusterId);
  return metadata;
}

/**
 * The refusal of a call whose sender belongs to another cluster; null when it may proceed
 * (this node has no id yet, the sender sent none, or both are the same).
 */
export function clusterMismatch(metadata: Metadata, local: string | null): ChronosError | null {
  if (local === null) return null;
  const sent = metadata.get(CLUSTER_HEADER)[0];
  if (typeof sent !== 'string' || sent === local) return null;
  return new ChronosError('CLUSTER_MISMATCH',
    `cluster id mismatch: this node belongs to cluster ${local}, the sender to ${sent}`,
    { details: { cluster: local } });
}

/** Adds the refusing node's cluster to a refusal's trailers (toServiceError's metadata). */
export function markRefusal(metadata: Metadata, error: unknown): void {
  if (!(error instanceof ChronosError) || error.code !== 'CLUSTER_MISMATCH') return;
  const cluster = error.details['cluster'];
  if (typeof cluster === 'string') metadata.set(REFUSER_CLUSTER_HEADER, cluster);
}

/** The refusing peer's cluster id when `error` is a cluster-id refusal, else null. */
export function refusingCluster(error: Pick<ServiceError, 'metadata'> | null): string | null {
  const value = error?.metadata?.get(REFUSER_CLUSTER_HEADER)[0];
  return typeof value === 'string' && CLUSTER_ID_PATTERN.test(value) ? value : null;
}
