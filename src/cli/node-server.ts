import type { StatementLimits, Script, StatementResult } from '../sql/index.js';
import type { FastifyInstance } from 'fastify';
import { ChronosError, errorMessage, isChronosError } from '../lib/index.js';
import type { Clock, Logger } from '../lib/index.js';
import {
  buildAdminApp, NodeMetrics, EdgeSyncMetrics, syncTargetHandler, SyncClient,
} from '../api/index.js';
import { TokenAuth } from '../auth/index.js';
import type { TokenConfig } from '../auth/index.js';
import { parsedStatements, planScript } from '../sql/index.js';
import {
  EdgeSync, dirBytes, checkPortsFree, checkNodeDataDir, RaftNode, startIngest,
} from '../node/index.js';
import type { GrpcServer, CallContext, TlsMaterial } from '../transport/index.js';
import { nodeGrpcServer } from './grpc-endpoint.js';
import type { IngestObservers, RunningIngest } from '../node/index.js';
import type { IngestLimits } from '../ingest/index.js';

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
  readonly snapshotEveryEntries: number;
  readonly ttlCleanupIntervalMs: number;
  /** The edge's sync target and pacing (`--sync-target` ...); null = not an edge. */
  readonly sync: {
    readonly targets: readonly string[];
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
  const log = config.logger.child('node');
  const auth = new TokenAuth(config.tokens);
  // Refuse a bad dir or a taken port before the dir is created or Raft starts.
  const nodeDir = checkNodeDataDir(config.dataDir, config.id, config.clean);
  await checkPortsFree([
    { host: config.host, port: config.port, role: 'gRPC, set by --address' },
    { host: config.host, port: config.adminPort, role: 'admin HTTP, the --address port + 1000' },
  ]);
  const node = await RaftNode.open(
    {
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
      snapshotEveryEntries: config.snapshotEveryEntries,
      ttlCleanupIntervalMs: config.ttlCleanupIntervalMs,
      writeTimeoutMs: config.writeTimeoutMs,
      readTimeoutMs: config.readTimeoutMs,
      ...(config.statementLimits === undefined ? {} : { statementLimits: config.statementLimits }),
      tls: config.tls,
      peerToken: config.tokens.admin,
      clock: config.clock,
      logger: config.logger,
      syncCapture: config.sync !== null,
    },
    config.clean,
  );
  let ingest: RunningIngest | null = null;
  const edge = config.sync === null ? null : new EdgeSync(node, {
    ...config.sync, clock: config.clock, logger: config.logger,
    connect: (address) => new SyncClient({ address, tls: config.tls, token: config.tokens.admin }),
  });
  const metrics = new NodeMetrics({
    status: () => node.status(),
    storageSizeBytes: () => dirBytes(nodeDir),
    walFsyncs: () => node.walStats.fileSyncs,
    blocksCompacted: () => node.blocksCompacted,
    ingestBacklog: () => ingest?.backlog() ?? null,
    writeBacklog: () => ingest?.pointBacklog() ?? null,
  });
  if (edge !== null) edge.reportTo(new EdgeSyncMetrics(metrics.registry, () => edge.outboxReport(), () => config.clock.nowMs()));
  const audit = config.logger.child('audit');

  const authorize = (script: Script, context: CallContext): 'read' | 'write' => {
    const kind = script.kind === 'statement' && script.statementClass === 'read' ? 'read' : 'write';
    const decision = auth.checkToken(context.token);
    if (!decision.ok) {
      throw new ChronosError('UNAUTHENTICATED', `${decision.reason} bearer token`);
    }
    if (kind === 'write' && (decision.level === 'readonly' || decision.level === 'ingest')) {
      throw new ChronosError('PERMISSION_DENIED', 'the read-only token allows SELECT statements only');
    }
    return kind;
  };

  const executeSql = async (sql: string, context: CallContext): Promise<StatementResult> => {
    const started = process.hrtime.bigint();
    let kind: 'read' | 'write' = 'read';
    try {
      // A huge statement is parsed in steps first, so the event loop keeps turning meanwhile.
      await parsedStatements.prepare(sql);
      const script = planScript(sql);
      kind = authorize(script, context);
      metrics.sqlRequests.inc({ kind });
      if (kind === 'write') await edge?.refuseWhenFull();
      const result = await node.execute(script, context);
      if (kind === 'write' && (context.user !== null || auth.enabled)) {
        audit.info('write', { user: context.user, peer: context.peer, sql: sql.slice(0, 200) });
      }
      return result;
    } catch (error) {
      metrics.sqlErrors.inc({ kind });
      // An operator sees which statements the limits ended (and that a cancel reached us).
      if (isChronosError(error, 'CANCELLED') || isChronosError(error, 'TIMEOUT') || isChronosError(error, 'LIMIT_EXCEEDED')) {
        log.info('statement ended early', { code: error.code, peer: context.peer, sql: sql.slice(0, 200) });
      }
      throw error;
    } finally {
      metrics.sqlDuration.observe({ kind }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };

  let grpc: GrpcServer | null = null;
  let admin: FastifyInstance | null = null;
  try {
    if (config.ingest !== null) {
      ingest = await startIngest(node, nodeDir, {
        limits: config.ingest, clock: config.clock, logger: config.logger,
        observers: ingestObservers(metrics),
      });
    }
    grpc = nodeGrpcServer({
      host: config.host,
      port: config.port,
      tls: config.tls,
      raft: (request) => node.handleRaftRequest(request),
      raftStream: (message) => node.receiveStreamed(message),
      sql: executeSql,
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
    });
    const { port: grpcPort } = await grpc.start();
    edge?.start();
    admin = buildAdminApp({
      status: () => node.status(),
      metrics,
      auth,
      exportBackup: () => node.exportBackup(),
      changeMembership: (change) => node.changeMembership(change),
      ...(ingest === null ? {} : { ingest: ingest.gateway, write: ingest.points }),
      ...(config.ingest === null ? {}
        : { ingestMaxBodyBytes: config.ingest.maxBodyBytes, writeMaxBodyBytes: config.ingest.maxWriteBodyBytes }),
      ...(config.tls?.cert != null && config.tls.key != null
        ? { https: { cert: config.tls.cert, key: config.tls.key, ...(config.tls.ca == null ? {} : { ca: config.tls.ca }) } }
        : {}),
    });
    await admin.listen({ host: config.host, port: config.adminPort }).catch((error: unknown) => {
      throw new ChronosError(
        'UNAVAILABLE',
        `cannot listen on ${config.host}:${config.adminPort} (admin HTTP): ${errorMessage(error)}`,
      );
    });
    const address = admin.server.address();
    const adminPort = typeof address === 'object' && address !== null ? address.port : config.adminPort;
    log.info('serving', { id: config.id, grpc: `${config.host}:${grpcPort}`, admin: `${config.host}:${adminPort}` });

    let stopped = false;
    const runningGrpc = grpc;
    const runningAdmin = admin;
    return {
      node,
      grpcPort,
      adminPort,
      async stop(): Promise<void> {
        if (stopped) return;
        stopped = true;
        await ingest?.stop();
        await edge?.stop();
        await node.stop();
        await runningGrpc.stop(2_000);
        await runningAdmin.close();
      },
    };
  } catch (error) {
    await admin?.close().catch(() => undefined);
    await grpc?.stop(0).catch(() => undefined);
    await ingest?.stop().catch(() => undefined);
    await edge?.stop().catch(() => undefined);
    await node.stop().catch(() => undefined);
    throw error;
  }
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
