import { isChronosError } from '../lib/index.js';
import type { RaftNode } from '../node/index.js';
import { InvariantViolation } from './checkers.js';
import { writeStatements } from './driver-state.js';

/** What a client knows of one write it sent. */
type Fate = 'pending' | 'acknowledged' | 'notApplied' | 'unknown';

const CLIENT = { token: null, user: null, peer: 'sim-client' } as const;

/**
 * The simulation's clients: writes with unique keys through random nodes, linearizable reads
 * of the event count, and what each answer promised. Checks the answers against what reads
 * and the final state show: acknowledged once, "not applied" never, unknown at most once.
 */
export class DriverWorkload {
  readonly #fates = new Map<string, Fate>();
  #sequence = 0;
  #acknowledged = 0;
  #reads = 0;
  /** A read that contradicted the writes' answers (found asynchronously; thrown by check()). */
  #violation: string | null = null;

  get acknowledged(): number {
    return this.#acknowledged;
  }

  get reads(): number {
    return this.#reads;
  }

  /** Sends one write to `node`; its answer is recorded when it comes. */
  write(node: RaftNode): void {
    this.#sequence += 1;
    const key = `w${this.#sequence}`;
    this.#fates.set(key, 'pending');
    node.write(writeStatements(key, this.#sequence), CLIENT).then(() => {
      this.#fates.set(key, 'acknowledged');
      this.#acknowledged += 1;
    }, (error: unknown) => {
      this.#fates.set(key, isChronosError(error, 'NOT_APPLIED') ? 'notApplied' : 'unknown');
    });
  }

  /**
   * A linearizable count through `node`: at least every write acknowledged before it began,
   * at most every write sent before it ended that was not refused as not applied.
   */
  read(node: RaftNode): void {
    const floor = this.#acknowledged;
    node.execute('SELECT COUNT(*) FROM ev', CLIENT).then((result) => {
      this.#reads += 1;
      if (result.kind !== 'rows') return;
      const count = Number(result.rows[0]?.[0] ?? 0);
      const ceiling = [...this.#fates.values()].filter((fate) => fate !== 'notApplied').length;
      if (count < floor || count > ceiling) {
        this.#violation ??= `linearizability: a read through ${node.id} counted ${count} events, ` +
          `expected between ${floor} (acknowledged before it) and ${ceiling}`;
      }
    }, () => undefined); // a read that fails promised nothing
  }

  /** Throws the first contradiction a read found. */
  check(): void {
    if (this.#violation !== null) throw new InvariantViolation(this.#violation);
  }

  /** The final state's keys against every answer given. */
  checkFinal(node: string, keys: readonly string[]): void {
    const seen = new Map<string, number>();
    for (const key of keys) seen.set(key, (seen.get(key) ?? 0) + 1);
    for (const [key, times] of seen) {
      const fate = this.#fates.get(key);
      if (fate === undefined) throw new InvariantViolation(`${node} holds ${key}, which no client wrote`);
      if (times > 1) throw new InvariantViolation(`exactly once: ${node} holds ${key} ${times} times`);
      if (fate === 'notApplied') throw new InvariantViolation(`${node} holds ${key}, answered "not applied"`);
    }
    for (const [key, fate] of this.#fates) {
      if (fate === 'acknowledged' && !seen.has(key)) {
        throw new InvariantViolation(`durability: ${node} lost acknowledged write ${key}`);
      }
    }
  }
}
