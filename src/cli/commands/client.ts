import type { ClientOptions } from '../options.js';
import type { CliIo, SqlTarget } from '../sql-target.js';
import type { SessionInput } from './sql-session.js';
import type { ClientEnv } from '../server-target.js';
import { assertNever } from '../../lib/index.js';
import { openLocalTarget, openServerTarget } from '../targets.js';
import { formatHostPort } from '../validate.js';
import { runSqlSession } from './sql-session.js';

/** `chronos client`: a SQL session against a server (`--leader`) or a local data dir (`-d`). */
export async function runClient(
  options: ClientOptions, input: Omit<SessionInput, 'execute'>, io: CliIo, env: ClientEnv,
): Promise<number> {
  let target: SqlTarget;
  let where: string;
  switch (options.target.kind) {
    case 'server':
      where = `Connected to ${formatHostPort(options.target.leader)}`;
      target = await openServerTarget(options.target.leader, env);
      break;
    case 'local':
      where = `Using data directory ${options.target.dataDir}`;
      target = await openLocalTarget(options.target.dataDir);
      break;
    default:
      return assertNever(options.target, 'client target');
  }
  const banner = [
    'Welcome to Chronos SQL Database', where, "Enter SQL statements or 'exit' to quit",
  ];
  return runSqlSession(target, { ...input, execute: options.execute }, banner, options.format, io);
}
