import type { HostPort } from './validate.js';
import type { SqlTarget } from './sql-target.js';
import type { ClientEnv } from './server-target.js';
import { formatHostPort } from './validate.js';

// The engines are imported on first use: gRPC, LevelDB and the SQL parser take a second to
// load, which `--version`, `--help`, flag errors and `admin` should not pay.

/** Opens the embedded engine over `dataDir` (created when new) as a SQL target. */
export async function openLocalTarget(dataDir: string): Promise<SqlTarget> {
  const { LocalTarget } = await import('./local-target.js');
  return LocalTarget.open(dataDir);
}

/** Connects to a server's SqlService at `address` (following its leader) as a SQL target. */
export async function openServerTarget(address: HostPort, env: ClientEnv): Promise<SqlTarget> {
  const { ServerTarget } = await import('./server-target.js');
  return new ServerTarget(formatHostPort(address), env);
}
