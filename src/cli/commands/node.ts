import { MAX_MATERIALIZED_ROWS_DEFAULT, STATEMENT_TIMEOUT_MS_DEFAULT } from '../../sql/index.js';
import { isChronosError, systemClock } from '../../lib/index.js';
import type { Logger } from '../../lib/index.js';
import { tokenConfigFromEnv } from '../../auth/index.js';
import { startNodeServer } from '../node-server.js';
import { SNAPSHOT_EVERY_ENTRIES } from '../../node/index.js';
import type { NodeServerConfig, RunningNode } from '../node-server.js';
import { loadTlsMaterial, servesTls, tlsConfigFromEnv } from '../../transport/index.js';
import type { TlsMaterial } from '../../transport/index.js';
import { ADMIN_PORT_OFFSET } from '../options.js';
import type { NodeOptions } from '../options.js';
import type { CliIo } from '../sql-target.js';
import { syncEndpoints } from '../sync-endpoints.js';
import { UsageError } from '../usage-error.js';
import { envBoolean, envNumber, envSwitch } from '../env-values.js';
import { processLogger } from '../process-logger.js';

/** How long the process may stay up after a clean stop before it exits anyway. */
const LINGER_AFTER_STOP_MS = 200;

/**
 * `chronos node`: runs a Raft member with its gRPC endpoint (ADDRESS) and admin HTTP
 * (port + 1000) until SIGTERM/SIGINT, then shuts down cleanly (leadership handed over, WAL
 * synced, ports closed) within 10 s.
 */
export async function runNode(options: NodeOptions, io: CliIo): Promise<number> {
  const env = process.env;
  const logger = processLogger(env);
  const tlsConfig = tlsConfigFromEnv(env);
  const tls = tlsConfig.certPath === null && tlsConfig.caPath === null ? null : loadTlsMaterial(tlsConfig);
  if (tls !== null && !servesTls(tls)) {
    throw new UsageError('CHRONOS_TLS_CERT and CHRONOS_TLS_KEY must both be set for a node to serve TLS');
  }
  const config = nodeServerConfig(options, env, tls, logger);
  if (config.chimp) {
    logger.info('CHRONOS_CHIMP_ENABLE: Chimp compression is on for FLOAT columns of new blocks ' +
      '(every node of the cluster must run a version that reads them)');
  }
  const running = await startNodeServer(config);
  // Under TLS the banner says so: an operator pointing curl or grpcurl at the ports needs to know.
  const security = tls === null ? '' : tls.ca === null ? ' (TLS)' : ' (mTLS)';
  io.stderr.write(
    `chronos node ${options.id}: gRPC${security} ${options.address.host}:${running.grpcPort}, ` +
      `admin ${tls === null ? 'HTTP' : `HTTPS${security}`} ${options.address.host}:${running.adminPort}\n`,
  );
  return await runUntilSignal(running, logger);
}

const DEFAULT_TICK_MS = 50;

/** CHRONOS_TLS_DOMAIN when the operator set it; null lets a target be checked by its URL's host. */
function explicitTlsDomain(env: NodeJS.ProcessEnv): string | null {
  const value = env['CHRONOS_TLS_DOMAIN'];
  return value === undefined || value === '' ? null : value;
}

/** The node's configuration from its flags and the environment's tunables. */
function nodeServerConfig(
  options: NodeOptions, env: NodeJS.ProcessEnv, tls: TlsMaterial | null, logger: Logger,
): NodeServerConfig {
  const electionMin = envNumber(env, 'CHRONOS_ELECTION_TICKS_MIN', 10, 2);
  return {
    id: options.id,
    dataDir: options.dataDir,
    host: options.address.host,
    port: options.address.port,
    adminPort: options.address.port + ADMIN_PORT_OFFSET,
    peers: new Map(options.peers.map((peer) => [peer.id, `${peer.address.host}:${peer.address.port}`])),
    clean: options.clean,
    // 50 ms ticks: followers campaign 0.5-1 s after the last heartbeat (etcd: 1 s); SIGKILL
    // of the leader to the next acknowledged write measured ~0.7 s (100 ms ticks: ~1.15 s).
    tickMs: envNumber(env, 'CHRONOS_RAFT_TICK_MS', DEFAULT_TICK_MS, 1),
    electionTicksMin: electionMin,
    electionTicksMax: envNumber(env, 'CHRONOS_ELECTION_TICKS_MAX', electionMin * 2, electionMin),
    heartbeatTicks: envNumber(env, 'CHRONOS_HEARTBEAT_TICKS', 1, 1),
    readLease: envSwitch(env, 'CHRONOS_READ_LEASE', true),
    snapshotEveryEntries: envNumber(env, 'CHRONOS_SNAPSHOT_EVERY_ENTRIES', SNAPSHOT_EVERY_ENTRIES, 1),
    snapshotEveryBytes: envNumber(env, 'CHRONOS_SNAPSHOT_EVERY_MB', 64, 1) * 1024 * 1024,
    ttlCleanupIntervalMs: options.ttlCleanupIntervalSecs * 1000,
    chimp: envBoolean(env, 'CHRONOS_CHIMP_ENABLE', false),
    sync: options.syncTargets.length === 0 ? null : {
      ...syncEndpoints(options.syncTargets, tls, explicitTlsDomain(env)),
      intervalMs: options.syncIntervalSecs * 1000,
      batchSize: options.syncBatchSize,
      maxQueueBytes: options.syncMaxQueueMb * 1024 * 1024,
    },
    ingest: options.enableIngest ? {
      maxBodyBytes: envNumber(env, 'CHRONOS_INGEST_MAX_BODY_BYTES', 128 * 1024, 1),
      maxWriteBodyBytes: envNumber(env, 'CHRONOS_WRITE_MAX_BODY_BYTES', 25 * 1024 * 1024, 1),
      maxInflight: envNumber(env, 'CHRONOS_INGEST_MAX_INFLIGHT', 64, 1),
      maxBacklogReadings: envNumber(env, 'CHRONOS_INGEST_MAX_BACKLOG_READINGS', 500_000, 1),
    } : null,
    writeTimeoutMs: envNumber(env, 'CHRONOS_WRITE_TIMEOUT_MS', 10_000, 100),
    readTimeoutMs: envNumber(env, 'CHRONOS_READ_TIMEOUT_MS', 5_000, 100),
    statementLimits: {
      timeoutMs: envNumber(env, 'CHRONOS_STATEMENT_TIMEOUT_MS', STATEMENT_TIMEOUT_MS_DEFAULT, 1),
      maxMaterializedRows: envNumber(env, 'CHRONOS_MAX_MATERIALIZED_ROWS', MAX_MATERIALIZED_ROWS_DEFAULT, 1),
    },
    tokens: tokenConfigFromEnv(env),
    tls,
    clock: systemClock,
    logger,
  };
}

/**
 * Serves until SIGTERM/SIGINT or a fatal error, then stops cleanly; resolves to the exit code.
 * A stop that takes over 10 s exits the process.
 */
function runUntilSignal(running: RunningNode, logger: Logger): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string, code: number): void => {
      if (stopping) return;
      stopping = true;
      logger.info(`${signal}: shutting down`);
      const force = setTimeout(() => {
        logger.error('shutdown took longer than 10 s; exiting');
        process.exit(1);
      }, 10_000);
      force.unref();
      running.stop().then(
        () => {
          // Everything is closed and synced; a handle some library still holds open (a
          // reconnect timer, a keep-alive socket) must not keep the process up past a moment.
          setTimeout(() => process.exit(code), LINGER_AFTER_STOP_MS).unref();
          resolve(code);
        },
        (error: unknown) => {
          logger.error('shutdown failed', { error: String(error) });
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM', 0));
    process.once('SIGINT', () => shutdown('SIGINT', 0));
    // A foreign dir already said everything in its one line; other fatal errors are named here.
    running.node.onFatal((error) => shutdown(isChronosError(error, 'CLUSTER_MISMATCH')
      ? 'cluster id mismatch' : `fatal error (${error.message})`, 1));
  });
}
