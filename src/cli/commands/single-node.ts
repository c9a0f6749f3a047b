import type { SingleNodeOptions } from '../options.js';
import type { CliIo } from '../sql-target.js';
import type { SessionInput } from './sql-session.js';
import { SINGLE_NODE_BANNER } from '../repl.js';
import { openLocalTarget } from '../targets.js';
import { runSqlSession } from './sql-session.js';

/** `chronos single-node`: the embedded engine over the data dir with a local REPL. */
export async function runSingleNode(
  options: SingleNodeOptions, input: Omit<SessionInput, 'execute'>, io: CliIo,
): Promise<number> {
  const target = await openLocalTarget(options.dataDir);
  return runSqlSession(target, { ...input, execute: null }, SINGLE_NODE_BANNER, 'table', io);
}
