import type { StatementLimits } from '../sql/index.js';
import type { FastifyInstance } from 'fastify';
import { ChronosError, errorMessage, LogThrottle } from '../lib/index.js';
import type { Clock, Logger } from '../lib/index.js';
import {
  buildAdminApp, NodeMetrics, EdgeSyncMetrics, sqlHandler, syncTargetHandler, SyncClient,
} from '../api/index.js';
import type { AdminDependencies } from '../api/index.js';
import { TokenAuth } from '../auth/index.js';
import type { TokenConfig } from '../auth/index.js';
import { parsedStatements } from '../sql/index.js';
import {
  EdgeSync, recentDirBytes, checkPortsFree, checkNodeDataDir, RaftNode, startIngest,
  removeServingRecord, writeServingRecord,
} from '../node/index.js';
import type { IngestObservers, RaftNodeOptions, RunningIngest, ServingRecord } from '../node/index.js';
import type { GrpcServer, TlsMaterial } from '../transport/index.js';
import { nodeGrpcServer } from './grpc-endpoint.js';
import type { NodeGrpcOptions } from './grpc-endpoint.js';
import type { IngestLimits } from '../ingest/index.js';

/** How stale chronos_storage_size_bytes may be: walking the data dir on every scrape costs the event loop. */
const STORAGE_SIZE_MAX_AGE_MS = 1_000;

/** Everything `chronos node` needs, resolved from flags and environment. */
export interface NodeServerConfig {
  readonly id: string;
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  /** Admin HTTP port; the CLI passes port + 1000. */
  readonly adminPort: number;
  readonly peers: ReadonlyMap<string, string>;
  readonly clean: boolean;
  readonly tickMs: number;
  readonly electionTicksMin: number;
  readonly electionTicksMax: number;
  readonly heartbeatTicks: number;
  /** Leader reads under a lease (CHRONOS_READ_LEASE=0 turns it off: a heartbeat round per read). */
  readonly readLease: boolean;
  readonly snapshotEveryEntries: number;
  readonly snapshotEveryBytes: number;
  readonly ttlCleanupIntervalMs: number;
  /** Chimp instead of XOR for FLOAT columns of new blocks (CHRONOS_CHIMP_ENABLE); every node reads both. */
  readonly chimp: boolean;
  /** The edge's sync target and pacing (`--sync-target` ...); null = not an edge. */
  readonly sync: {
    /** host:port of each target node. */
    readonly addresses: readonly string[];
    /** How the links dial: TLS material from an https:// target, null for http://. */
    readonly tls: TlsMaterial | null;
    readonly intervalMs: number;
    readonly batchSize: number;
    /** Outbox bytes past which writes are refused (never dropped). */
    readonly maxQueueBytes: number;
  } | null;
  /** Limits of `POST /ingest`; null without --enable-ingest. */
  readonly ingest: (IngestLimits & { readonly maxBodyBytes: number; readonly maxWriteBodyBytes: number }) | null;
  readonly writeTimeoutMs: number;
  readonly readTimeoutMs: number;
  /** Per-statement time and rows-held caps; defaults as documented in docs/operations.md. */
  readonly statementLimits?: Omit<StatementLimits, 'signal'>;
  readonly tokens: TokenConfig;
  readonly tls: TlsMaterial | null;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A running node: Raft member, gRPC endpoint and admin HTTP server. */
export interface RunningNode {
  readonly node: RaftNode;
  readonly grpcPort: number;
  readonly adminPort: number;
  /** Stops serving and closes everything; safe to call twice. */
  stop(): Promise<void>;
}

/** Opens the node and binds its ports; any failure closes what was opened and rethrows. */
export async function startNodeServer(config: NodeServerConfig): Promise<RunningNode> {
  const auth = new TokenAuth(config.tokens);
  // Refuse a bad dir or a taken port before the dir is created or Raft starts.
  const nodeDir = checkNodeDataDir(config.dataDir, config.id, config.clean);
  await checkPortsFree([
    { host: config.host, port: config.port, role: 'gRPC, set by --address' },
    { host: config.host, port: config.adminPort, role: 'admin HTTP, the --address port + 1000' },
  ]);
  const node = await RaftNode.open(raftNodeOptions(config, nodeDir), config.clean);
  let ingest: RunningIngest | null = null;
  const sync = config.sync;
  const edge = sync === null ? null : new EdgeSync(node, {
    targets: sync.addresses, tls: sync.tls !== null, intervalMs: sync.intervalMs, batchSize: sync.batchSize,
    maxQueueBytes: sync.maxQueueBytes, clock: config.clock, logger: config.logger,
    connect: (address) => new SyncClient({ address, tls: sync.tls, token: config.tokens.admin }),
  });
  const metrics = new NodeMetrics({
    status: () => node.status(),
    storageSizeBytes: recentDirBytes(nodeDir, STORAGE_SIZE_MAX_AGE_MS, () => Date.now()),
    walFsyncs: () => node.walStats.fileSyncs,
    blocksCompacted: () => node.blocksCompacted,
    tombstoneSweeps: () => node.storage.tombstoneSweeps,
    droppedClearing: () => node.storage.droppedClearing,
    indexesBuilding: () => node.indexesBuilding,
    compactionSettled: () => node.compactionSettled,
    writeStages: () => node.writeStages(),
    leaderReads: () => node.leaderReads(),
    ttlPasses: () => node.ttlPasses(),
    ingestBacklog: () => ingest?.backlog() ?? null,
    writeBacklog: () => ingest?.pointBacklog() ?? null,
  });
  if (edge !== null) edge.reportTo(new EdgeSyncMetrics(metrics.registry, () => edge.outboxReport(), () => config.clock.nowMs()));
  const parts: ServingParts = { config, node, auth, metrics, edge };
  let grpc: GrpcServer | null = null;
  let admin: FastifyInstance | null = null;
  try {
    if (config.ingest !== null) {
      ingest = await startIngest(node, nodeDir, {
        limits: config.ingest, clock: config.clock, logger: config.logger,
        observers: ingestObservers(metrics),
      });
    }
    grpc = nodeGrpcServer(grpcOptions(parts));
    const { port: grpcPort } = await grpc.start();
    edge?.start();
    admin = buildAdminApp(adminDependencies(parts, ingest));
    const adminPort = await listenAdmin(admin, config);
    config.logger.child('node').info('serving', {
      id: config.id, grpc: `${config.host}:${grpcPort}`, admin: `${config.host}:${adminPort}`,
    });
    writeServingRecord(nodeDir, servingRecord(config, adminPort));
    const stopServing = stopInOrder(ingest, edge, node, grpc, admin);
    const stop = async (): Promise<void> => {
      removeServingRecord(nodeDir);
      await stopServing();
    };
    return { node, grpcPort, adminPort, stop };
  } catch (error) {
    await admin?.close().catch(() => undefined);
    await grpc?.stop(0).catch(() => undefined);
    await ingest?.stop().catch(() => undefined);
    await edge?.stop().catch(() => undefined);
    await node.stop().catch(() => undefined);
    throw error;
  }
}

/** What the node's surfaces are built from once the driver is open. */
interface ServingParts {
  readonly config: NodeServerConfig;
  readonly node: RaftNode;
  readonly auth: TokenAuth;
  readonly metrics: NodeMetrics;
  readonly edge: EdgeSync | null;
}

/** The driver's options from the node's configuration. */
function raftNodeOptions(config: NodeServerConfig, nodeDir: string): RaftNodeOptions {
  return {
    id: config.id,
    nodeDir,
    peers: config.peers,
    address: `${config.host}:${config.port}`,
    tickMs: config.tickMs,
    raft: {
      electionTicksMin: config.electionTicksMin,
      electionTicksMax: config.electionTicksMax,
      heartbeatTicks: config.heartbeatTicks,
    },
    readLease: config.readLease,
    snapshotEveryEntries: config.snapshotEveryEntries,
    snapshotEveryBytes: config.snapshotEveryBytes,
    ttlCleanupIntervalMs: config.ttlCleanupIntervalMs,
    writeTimeoutMs: config.writeTimeoutMs,
    readTimeoutMs: config.readTimeoutMs,
    ...(config.statementLimits === undefined ? {} : { statementLimits: config.statementLimits }),
    tls: config.tls,
    peerToken: config.tokens.admin,
    clock: config.clock,
    logger: config.logger,
    syncCapture: config.sync !== null,
    floatCompression: config.chimp ? 'chimp' : 'xor',
  };
}

/** The gRPC endpoint's handlers: Raft traffic to the driver, client services from api/. */
function grpcOptions(parts: ServingParts): NodeGrpcOptions {
  const { config, node, auth, metrics, edge } = parts;
  return {
    host: config.host,
    port: config.port,
    tls: config.tls,
    raft: (request) => node.handleRaftRequest(request),
    raftStream: (message) => node.receiveStreamed(message),
    sql: sqlHandler({ node, auth, metrics, edge, logger: config.logger }),
    forwardSql: async (statements, context) => {
      // Parsed before it enters the log, in steps: writes arriving meanwhile go ahead of it
      // instead of waiting behind its parse at apply.
      for (const sql of statements) await parsedStatements.prepare(sql);
      return node.handleForward(statements, context);
    },
    changeMembership: (change) => node.changeMembership(change),
    forwardCommand: (command) => node.handleForwardedCommand(command),
    sync: syncTargetHandler(node, auth, config.clock, metrics.syncTarget),
    ...(edge === null ? {} : { syncStatus: () => edge.status(), health: () => Promise.resolve(edge.connectivity()) }),
    auth,
    clusterId: () => node.clusterId,
    onPeerRefused: peerRefusalWarning(config.logger),
  };
}

/**
 * Warns (at most every 30 s per reason) that a peer's RaftService call was refused for its
 * token: with tokens that differ, the nodes cannot elect a leader, and the clients only see
 * "no leader". A peer of another cluster is told by its caller's side (it exits naming both).
 */
function peerRefusalWarning(logger: Logger): (refusal: ChronosError) => void {
  const log = logger.child('transport');
  const throttle = new LogThrottle(30_000);
  return (refusal) => {
    if (refusal.code !== 'UNAUTHENTICATED' || !throttle.due(refusal.message)) return;
    log.warn(`refused a call from a peer: ${refusal.message}; every node of a cluster needs the same ` +
      'CHRONOS_AUTH_TOKEN_ADMIN');
  };
}

/** The admin app's dependencies: status, metrics, backups, membership, ingest when enabled. */
function adminDependencies(parts: ServingParts, ingest: RunningIngest | null): AdminDependencies {
  const { config, node, auth, metrics } = parts;
  return {
    status: () => node.status(),
    metrics,
    auth,
    exportBackup: () => node.exportBackup(),
    changeMembership: (change) => node.changeMembership(change),
    writeHops: () => node.writeHops(),
    ...(ingest === null ? {} : { ingest: ingest.gateway, write: ingest.points }),
    ...(config.ingest === null ? {}
      : { ingestMaxBodyBytes: config.ingest.maxBodyBytes, writeMaxBodyBytes: config.ingest.maxWriteBodyBytes }),
    ...(config.tls?.cert != null && config.tls.key != null
      ? { https: { cert: config.tls.cert, key: config.tls.key, ...(config.tls.ca == null ? {} : { ca: config.tls.ca }) } }
      : {}),
  };
}

/** Where `snapshot create` on this node's dir finds its admin server (loopback for a wildcard). */
function servingRecord(config: NodeServerConfig, adminPort: number): ServingRecord {
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host;
  const admin = host.includes(':') ? `[${host}]:${adminPort}` : `${host}:${adminPort}`;
  return { pid: process.pid, admin, https: config.tls?.cert != null && config.tls.key != null };
}

/** Binds the admin app; resolves to the port it got (the configured one unless that was 0). */
async function listenAdmin(admin: FastifyInstance, config: NodeServerConfig): Promise<number> {
  await admin.listen({ host: config.host, port: config.adminPort }).catch((error: unknown) => {
    throw new ChronosError(
      'UNAVAILABLE',
      `cannot listen on ${config.host}:${config.adminPort} (admin HTTP): ${errorMessage(error)}`,
    );
  });
  const address = admin.server.address();
  return typeof address === 'object' && address !== null ? address.port : config.adminPort;
}

/** Stops intake first (ingest, edge sync), then the driver, then the servers; safe to call twice. */
function stopInOrder(ingest: RunningIngest | null, edge: EdgeSync | null, node: RaftNode,
  grpc: GrpcServer, admin: FastifyInstance): () => Promise<void> {
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    await ingest?.stop();
    await edge?.stop();
    await node.stop();
    await grpc.stop(2_000);
    await admin.close();
  };
}

/** Ingest events as metrics. */
function ingestObservers(metrics: NodeMetrics): IngestObservers {
  const { ingest, write } = metrics;
  return {
    readings: {
      accepted: (readings) => ingest.items.inc({ outcome: 'accepted' }, readings),
      rejected: (reason) => ingest.rejected.inc({ reason }),
      drained: (batch, applied, seconds) => {
        ingest.items.inc({ outcome: 'stored' }, applied.inserted);
        ingest.items.inc({ outcome: 'duplicate' }, applied.duplicates);
        if (applied.problem !== null) ingest.rejected.inc({ reason: 'no_table' });
        ingest.drainBatchItems.observe(batch.readings.length);
        ingest.drainSeconds.observe(seconds);
      },
    },
    points: {
      accepted: (points) => write.items.inc({ outcome: 'accepted' }, points),
      rejected: (reason) => write.rejected.inc({ reason }),
      drained: (batch, applied, seconds) => {
        write.items.inc({ outcome: 'stored' }, applied.stored);
        write.items.inc({ outcome: 'merged' }, applied.merged);
        write.items.inc({ outcome: 'skipped' }, applied.skipped);
        write.drainBatchItems.observe(batch.points.length);
        write.drainSeconds.observe(seconds);
      },
    },
  };
}
