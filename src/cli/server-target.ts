import type { StatementResult } from '../sql/result.js';
import type { TlsMaterial } from '../transport/index.js';
import type { SqlTarget } from './sql-target.js';
import { isChronosError } from '../lib/errors.js';
import { SqlClient, loadTlsMaterial, tlsConfigFromEnv } from '../transport/index.js';

/** Redirects followed for one statement: more means the cluster is electing, not that we lost. */
const LEADER_HOPS_MAX = 3;

/** The environment the gRPC client reads: CHRONOS_TLS_* and CHRONOS_AUTH_TOKEN (SPEC §7). */
export type ClientEnv = Readonly<Record<string, string | undefined>>;

/**
 * A SqlTarget over gRPC that follows the leader: a NOT_LEADER answer naming the leader's
 * address makes it reconnect there and retry the statement (the server forwards writes when
 * it can, so this only happens with servers that answer with the address instead).
 */
export class ServerTarget implements SqlTarget {
  readonly #tls: TlsMaterial | null;
  readonly #token: string | null;
  #client: SqlClient;
  #closed = false;

  constructor(address: string, env: ClientEnv) {
    const config = tlsConfigFromEnv(env);
    // TLS only with a CA to verify the server against (SPEC §7); files are checked up front.
    this.#tls = config.caPath === null ? null : loadTlsMaterial(config);
    const token = env['CHRONOS_AUTH_TOKEN'];
    this.#token = token === undefined || token === '' ? null : token;
    this.#client = this.#connect(address);
  }

  /** The address statements currently go to. */
  get address(): string {
    return this.#client.address;
  }

  /** Runs one statement on the server, following the leader up to LEADER_HOPS_MAX times. */
  async execute(sql: string): Promise<StatementResult> {
    for (let hop = 0; ; hop += 1) {
      try {
        return await this.#client.execute(sql);
      } catch (error) {
        const leader = isChronosError(error, 'NOT_LEADER') ? error.details['leader'] : undefined;
        if (typeof leader !== 'string' || leader === '' || leader === this.address ||
          hop >= LEADER_HOPS_MAX) {
          throw error;
        }
        this.#client.close();
        this.#client = this.#connect(leader);
      }
    }
  }

  /** Closes the channel. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.close();
  }

  #connect(address: string): SqlClient {
    return new SqlClient({ address, tls: this.#tls, token: this.#token });
  }
}
