import type { StatementResult } from '../sql/index.js';
import type { TlsMaterial } from '../transport/index.js';
import type { SqlTarget } from './sql-target.js';
import { ChronosError, isChronosError } from '../lib/index.js';
import { SqlClient } from '../api/grpc/index.js';
import { loadTlsMaterial, tlsConfigFromEnv } from '../transport/index.js';
import { isFinalFailure } from './final-failure.js';
import { sentWriteFailure } from './sent-write-failure.js';
import { CLIENT_TOKEN_VARIABLES, tokenRefusal } from './token-hint.js';

/** Redirects followed for one statement: more means the cluster is electing, not that we lost. */
const LEADER_HOPS_MAX = 3;
/** Backoff while a server cannot be reached: about 3 s in all, then one error line. */
const RETRY_DELAYS_MS = [100, 200, 400, 800, 1600] as const;
/**
 * No retry starts past this much time from the first attempt: a server without a quorum
 * answers NOT_APPLIED only after waiting 5 s for a leader, and six such attempts made a client
 * wait 34 s before it said so.
 */
const RETRY_BUDGET_MS = 4_000;

function message(text: string): StatementResult {
  return { kind: 'message', message: text, rowsAffected: 0 };
}

/** The statement's kind from its first word; the server does the real parse. */
function statementKind(sql: string): 'begin' | 'commit' | 'rollback' | 'read' | 'write' {
  const word = /^\s*([a-z]+)/i.exec(sql)?.[1]?.toLowerCase() ?? '';
  if (word === 'begin' || word === 'start') return 'begin';
  if (word === 'commit' || word === 'end') return 'commit';
  if (word === 'rollback') return 'rollback';
  if (word === 'select' || word === 'with' || word === 'explain') return 'read';
  return 'write';
}

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
  readonly #noticeSink: (line: string) => void;
  #client: SqlClient;
  /** Writes of the open transaction; null outside one. */
  #transaction: string[] | null = null;
  #closed = false;

  constructor(address: string, env: ClientEnv, notice: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {
    this.#noticeSink = notice;
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

  /**
   * Runs one statement. BEGIN ... COMMIT is buffered here and sent as one request at COMMIT
   * (a gRPC call has no session to hold a transaction open); the server applies it atomically.
   */
  async execute(sql: string, signal?: AbortSignal): Promise<StatementResult> {
    const kind = statementKind(sql);
    if (this.#transaction !== null) {
      if (kind === 'commit') {
        const writes = this.#transaction;
        this.#transaction = null;
        if (writes.length === 0) return message('Transaction committed');
        return this.#send(['BEGIN', ...writes, 'COMMIT'].join(';\n'), true, signal);
      }
      if (kind === 'rollback') {
        this.#transaction = null;
        return message('Transaction rolled back');
      }
      if (kind === 'begin') {
        throw new ChronosError('TRANSACTION_STATE', 'a transaction is already open; COMMIT or ROLLBACK it first');
      }
      if (kind === 'write') {
        this.#transaction.push(sql);
        return message('Queued: applied atomically at COMMIT');
      }
      return this.#send(sql, false, signal);
    }
    if (kind === 'begin') {
      this.#transaction = [];
      return message('Transaction started');
    }
    if (kind === 'commit' || kind === 'rollback') {
      throw new ChronosError('TRANSACTION_STATE', `${kind.toUpperCase()} without BEGIN`);
    }
    return this.#send(sql, kind === 'write', signal);
  }

  /**
   * Sends a request, following the leader when the server names one, and retrying with backoff
   * while the server cannot be reached at all or answers NOT_APPLIED (a write that never
   * connected, or that the server refused before proposing, was not applied: retrying is safe).
   * A failure no retry can fix (`isFinalFailure`: a TLS mismatch, a removed node) ends it at once.
   */
  async #send(sql: string, isWrite: boolean, signal: AbortSignal | undefined): Promise<StatementResult> {
    let hops = 0;
    let attempt = 0;
    const startedMs = Date.now();
    for (;;) {
      try {
        return await this.#client.execute(sql, signal);
      } catch (error) {
        const leader = isChronosError(error, 'NOT_LEADER') ? error.details['leader'] : undefined;
        if (typeof leader === 'string' && leader !== '' && leader !== this.address && hops < LEADER_HOPS_MAX) {
          hops += 1;
          this.#notice(`Following the leader at ${leader}`);
          this.#client.close();
          this.#client = this.#connect(leader);
          continue;
        }
        // A write is retried only when it certainly was not applied; OUTCOME_UNKNOWN, a
        // deadline or a dropped connection after sending are reported, never retried blindly.
        const neverConnected = isChronosError(error, 'UNAVAILABLE') && error.details['neverSent'] === true;
        const retryable = !isFinalFailure(error) && (neverConnected || isChronosError(error, 'NOT_APPLIED') ||
          (!isWrite && isChronosError(error, 'UNAVAILABLE')));
        const delay = RETRY_DELAYS_MS[attempt] ?? 0;
        const inBudget = Date.now() + delay - startedMs <= RETRY_BUDGET_MS;
        if (retryable && attempt < RETRY_DELAYS_MS.length && inBudget && signal?.aborted !== true) {
          attempt += 1;
          await new Promise((resolve) => setTimeout(resolve, delay));
          continue;
        }
        throw tokenRefusal(isWrite ? sentWriteFailure(error) : error, CLIENT_TOKEN_VARIABLES);
      }
    }
  }

  /** Closes the channel. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.close();
  }

  #notice(line: string): void {
    this.#noticeSink(line);
  }

  #connect(address: string): SqlClient {
    return new SqlClient({ address, tls: this.#tls, token: this.#token });
  }
}
