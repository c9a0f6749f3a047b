import type { HostPort } from './validate.js';
import type { SqlTarget } from './sql-target.js';
import type { ClientEnv } from './server-target.js';
import { LocalTarget } from './local-target.js';
import { ServerTarget } from './server-target.js';
import { formatHostPort } from './validate.js';

/** Opens the embedded engine over `dataDir` (created when new) as a SQL target. */
export async function openLocalTarget(dataDir: string): Promise<SqlTarget> {
  return LocalTarget.open(dataDir);
}

/** Connects to a server's SqlService at `address` (following its leader) as a SQL target. */
export async function openServerTarget(address: HostPort, env: ClientEnv): Promise<SqlTarget> {
  return new ServerTarget(formatHostPort(address), env);
}
