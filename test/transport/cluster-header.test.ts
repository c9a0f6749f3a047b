import { Metadata } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppendRequest, RaftMessage } from '../../src/raft/messages.js';
import { CLUSTER_HEADER, clusterMismatch, withClusterId } from '../../src/transport/cluster-header.js';
import { nodeGrpcServer } from '../../src/cli/grpc-endpoint.js';
import { PeerClients } from '../../src/transport/peer-client.js';
import { identifyPeer } from '../../src/transport/identify-peer.js';
import { waitFor } from '../helpers/node-process.js';

const CLUSTER_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const CLUSTER_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function sentBy(clusterId: string | null): Metadata {
  return withClusterId(new Metadata(), clusterId);
}

describe('the cluster id a peer call carries', () => {
  it('is absent while the sender has none, and sent once it has one', () => {
    expect(sentBy(null).get(CLUSTER_HEADER)).toEqual([]);
    expect(sentBy(CLUSTER_A).get(CLUSTER_HEADER)).toEqual([CLUSTER_A]);
  });

  it('is refused only when both sides know their ids and they differ', () => {
    expect(clusterMismatch(sentBy(CLUSTER_A), CLUSTER_A)).toBeNull();
    expect(clusterMismatch(sentBy(null), CLUSTER_A)).toBeNull();
    expect(clusterMismatch(sentBy(CLUSTER_B), null)).toBeNull();
    const refusal = clusterMismatch(sentBy(CLUSTER_B), CLUSTER_A);
    expect(refusal?.code).toBe('CLUSTER_MISMATCH');
    expect(refusal?.message).toBe(
      `cluster id mismatch: this node belongs to cluster ${CLUSTER_A}, the sender to ${CLUSTER_B}`);
  });
});

function append(): AppendRequest {
  return { type: 'append', from: 'node1', to: 'node2', term: 3, prevLogIndex: 0, prevLogTerm: 0,
    entries: [], commit: 0, readContext: 0, commitOnly: false };
}

/** A real RaftService of cluster `serverCluster` on loopback, and what reached its node. */
async function serverOf(serverCluster: string | null): Promise<{ port: number; reached: RaftMessage[] }> {
  const reached: RaftMessage[] = [];
  const server = nodeGrpcServer({
    host: '127.0.0.1', port: 0, tls: null,
    raft: (request) => {
      reached.push(request);
      const reply: RaftMessage = { type: 'appendResponse', from: 'node2', to: 'node1', term: 3,
        success: true, matchIndex: 0, rejectHintIndex: 0, rejectHintTerm: 0, readContext: 0, recovering: false };
      return Promise.resolve(reply);
    },
    raftStream: (message) => reached.push(message),
    sql: () => Promise.reject(new Error('no sql here')),
    forwardSql: () => Promise.resolve([]),
    clusterId: () => serverCluster,
  });
  const { port } = await server.start();
  cleanups.push(() => server.stop(100));
  return { port, reached };
}

function clientOf(port: number, clientCluster: string | null, refusals: Array<[string, string]>): PeerClients {
  const peers = new PeerClients(new Map([['node2', `127.0.0.1:${port}`]]), {
    clusterId: () => clientCluster,
    onClusterRefusal: (to, theirs) => refusals.push([to, theirs]),
  });
  cleanups.push(() => peers.close());
  return peers;
}

/** Waits (bounded) until `check` holds. */
function until(what: string, check: () => boolean): Promise<true> {
  return waitFor(what, 5_000, () => (check() ? true : null));
}

describe('a RaftService that knows its cluster id, over real gRPC', () => {
  it('refuses a unary call from another cluster with FAILED_PRECONDITION naming both ids', async () => {
    const { port, reached } = await serverOf(CLUSTER_A);
    const refusals: Array<[string, string]> = [];
    const result = await clientOf(port, CLUSTER_B, refusals).call(append());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure.grpcStatus).toBe(9); // FAILED_PRECONDITION
    expect(result.failure.message).toContain(`this node belongs to cluster ${CLUSTER_A}, the sender to ${CLUSTER_B}`);
    expect(refusals).toEqual([['node2', CLUSTER_A]]);
    expect(reached).toEqual([]);
  });

  it('refuses a stream from another cluster, and the sender hears which cluster refused it', async () => {
    const { port, reached } = await serverOf(CLUSTER_A);
    const refusals: Array<[string, string]> = [];
    clientOf(port, CLUSTER_B, refusals).stream(append());
    await until('the refusal', () => refusals.length > 0);
    expect(refusals[0]).toEqual(['node2', CLUSTER_A]);
    expect(reached).toEqual([]);
  });

  it('refuses forwarded writes from another cluster', async () => {
    const { port } = await serverOf(CLUSTER_A);
    const refusals: Array<[string, string]> = [];
    const result = await clientOf(port, CLUSTER_B, refusals).forwardSql('node2', ['SELECT 1'], { user: null, token: null });
    expect(result.ok).toBe(false);
    expect(refusals).toEqual([['node2', CLUSTER_A]]);
  });

  it('takes calls from its own cluster and from a node with no id yet (a new or wiped node)', async () => {
    const { port, reached } = await serverOf(CLUSTER_A);
    const refusals: Array<[string, string]> = [];
    expect((await clientOf(port, CLUSTER_A, refusals).call(append())).ok).toBe(true);
    expect((await clientOf(port, null, refusals).call(append())).ok).toBe(true);
    clientOf(port, null, refusals).stream(append());
    await until('the streamed message', () => reached.length === 3);
    expect(refusals).toEqual([]);
  });

  it('takes any cluster while it has no id itself', async () => {
    const { port } = await serverOf(null);
    const refusals: Array<[string, string]> = [];
    expect((await clientOf(port, CLUSTER_B, refusals).call(append())).ok).toBe(true);
    expect(refusals).toEqual([]);
  });

  it('answers Identify with its id to its own cluster and to a node without one, refuses it to another', async () => {
    const { port } = await serverOf(CLUSTER_A);
    const ask = (clusterId: string | null) => identifyPeer(`127.0.0.1:${port}`,
      { tls: null, token: null, clusterId, deadlineMs: 2_000 });
    expect(await ask(CLUSTER_A)).toEqual({ kind: 'answered', clusterId: CLUSTER_A });
    expect(await ask(null)).toEqual({ kind: 'answered', clusterId: CLUSTER_A });
    expect(await ask(CLUSTER_B)).toEqual({ kind: 'refused', clusterId: CLUSTER_A });
    const { port: unnamed } = await serverOf(null);
    expect(await identifyPeer(`127.0.0.1:${unnamed}`, { tls: null, token: null, clusterId: CLUSTER_B, deadlineMs: 2_000 }))
      .toEqual({ kind: 'answered', clusterId: null });
  });
});
