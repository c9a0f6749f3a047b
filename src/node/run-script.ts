import { assert, ChronosError } from '../lib/index.js';
import { planScript } from '../sql/index.js';
import type { Script, StatementResult } from '../sql/index.js';

/** How a node runs the two kinds of work a client script turns into. */
export interface ScriptRunner {
  /** Applies statements as one atomic command; one result per statement. */
  write(statements: readonly string[]): Promise<readonly StatementResult[]>;
  /** Runs one read linearizably. */
  read(sql: string): Promise<StatementResult>;
}

/**
 * Runs one client request on a node: a transaction's writes as one command, a single write
 * through the log, a read linearizably. A bare BEGIN/COMMIT/ROLLBACK needs a session.
 */
export async function runScript(
  request: string | Script, node: ScriptRunner,
): Promise<StatementResult> {
  // The server plans once (to authorize) and hands the plan over; parsing is on the hot path.
  const script = typeof request === 'string' ? planScript(request) : request;
  if (script.kind === 'transaction') {
    if (script.end === 'rollback' || script.writes.length === 0) {
      return { kind: 'message', message: script.end === 'rollback' ? 'Transaction rolled back' : 'Transaction committed', rowsAffected: 0 };
    }
    const results = await node.write(script.writes);
    const last = results.at(-1);
    assert(last !== undefined && results.length === script.writes.length, 'one result per statement');
    if (!script.explicit) return last;
    const rowsAffected = results.reduce((sum, result) => sum + (result.kind === 'message' ? result.rowsAffected : 0), 0);
    return { kind: 'message', message: 'Transaction committed', rowsAffected };
  }
  switch (script.statementClass) {
    case 'read':
      return node.read(script.sql);
    case 'write': {
      const results = await node.write([script.sql]);
      const last = results.at(-1);
      assert(last !== undefined, 'a write command returns one result per statement');
      return last;
    }
    case 'begin':
    case 'commit':
    case 'rollback':
      throw new ChronosError(
        'UNSUPPORTED',
        `${script.statementClass.toUpperCase()} needs a session: send the whole transaction as one ` +
          'request ("BEGIN; ...; COMMIT"), or use chronos client',
      );
  }
}
