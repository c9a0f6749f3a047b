import type { AccessLevel, TokenAuth } from '../auth/index.js';
import { ChronosError, isChronosError } from '../lib/index.js';
import type { Logger } from '../lib/index.js';
import type { EdgeSync, RaftNode } from '../node/index.js';
import { parsedStatements, planScript } from '../sql/index.js';
import type { Script, StatementResult } from '../sql/index.js';
import type { CallContext } from '../transport/index.js';
import type { SqlHandler } from './grpc/sql-service.js';
import type { NodeMetrics } from './metrics.js';

/** What SqlService needs around the driver. */
export interface SqlHandlerDependencies {
  readonly node: RaftNode;
  readonly auth: TokenAuth;
  readonly metrics: NodeMetrics;
  /** The edge's sync worker: writes are refused while its outbox is full; null = not an edge. */
  readonly edge: EdgeSync | null;
  /** The node's logger: statements ended early go to `node`, audited writes to `audit`. */
  readonly logger: Logger;
}

/**
 * The caller's token level, or UNAUTHENTICATED: checked before the statement is even parsed, so
 * a caller without a token cannot make a node parse 16 MiB statements or learn their errors.
 */
function authenticate(auth: TokenAuth, context: CallContext): AccessLevel | 'open' {
  const decision = auth.checkToken(context.token);
  if (!decision.ok) throw new ChronosError('UNAUTHENTICATED', `${decision.reason} bearer token`);
  return decision.level;
}

/** Whether a caller of `level` may run `script`: its kind, or PERMISSION_DENIED. */
function authorize(level: AccessLevel | 'open', script: Script): 'read' | 'write' {
  const kind = script.kind === 'statement' && script.statementClass === 'read' ? 'read' : 'write';
  if (kind === 'write' && (level === 'readonly' || level === 'ingest')) {
    throw new ChronosError('PERMISSION_DENIED', 'the read-only token allows SELECT statements only');
  }
  return kind;
}

/**
 * SqlService.ExecuteSql on a node: parse, authorize, run through the driver; counted in the
 * metrics, writes audited when a user is named or auth is on.
 */
export function sqlHandler(deps: SqlHandlerDependencies): SqlHandler {
  const { node, auth, metrics, edge } = deps;
  const log = deps.logger.child('node');
  const audit = deps.logger.child('audit');
  const debug = log.enabled('debug');
  return async (sql: string, context: CallContext): Promise<StatementResult> => {
    const started = process.hrtime.bigint();
    let kind: 'read' | 'write' = 'read';
    let counted = false;
    let outcome = 'ok';
    try {
      const level = authenticate(auth, context);
      // A huge statement is parsed in steps first, so the event loop keeps turning meanwhile.
      await parsedStatements.prepare(sql);
      const script = planScript(sql);
      kind = authorize(level, script);
      metrics.sqlRequests.inc({ kind });
      counted = true;
      if (kind === 'write') await edge?.refuseWhenFull();
      const result = await node.execute(script, context);
      if (kind === 'write' && (context.user !== null || auth.enabled)) {
        audit.info('write', { user: context.user, peer: context.peer, sql: sql.slice(0, 200) });
      }
      return result;
    } catch (error) {
      outcome = isChronosError(error) ? error.code : 'error';
      metrics.sqlErrors.inc({ kind });
      // An operator sees which statements the limits ended (and that a cancel reached us).
      if (isChronosError(error, 'CANCELLED') || isChronosError(error, 'TIMEOUT') || isChronosError(error, 'LIMIT_EXCEEDED')) {
        log.info('statement ended early', { code: error.code, peer: context.peer, sql: sql.slice(0, 200) });
      }
      throw error;
    } finally {
      // A statement refused before its kind was known (a parse error, a bad token) is a
      // request too, counted as a read, so errors never outnumber requests.
      if (!counted) metrics.sqlRequests.inc({ kind });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.sqlDuration.observe({ kind }, seconds);
      if (debug) {
        log.debug('statement', { kind, outcome, ms: Math.round(seconds * 1e4) / 10, peer: context.peer, sql: sql.slice(0, 200) });
      }
    }
  };
}
