import { ChronosError } from '../lib/index.js';
import type { NodeId } from '../raft/index.js';

/**
 * Whether a node still takes requests: running, draining (stop() began: no new writes, the
 * in-flight ones are answered truthfully), stopping, or stopped by a fatal error.
 */
export class NodeGate {
  readonly #id: NodeId;
  readonly #fatal: () => Error | null;
  draining = false;
  stopping = false;
  writesInFlight = 0;

  constructor(id: NodeId, fatal: () => Error | null) {
    this.#id = id;
    this.#fatal = fatal;
  }

  /** Throws unless the node serves requests. */
  assertRunning(): void {
    const fatal = this.#fatal();
    if (fatal !== null) {
      throw new ChronosError('UNAVAILABLE', `node ${this.#id} stopped after a fatal error: ${fatal.message}`);
    }
    if (this.stopping) throw new ChronosError('SHUTTING_DOWN', `node ${this.#id} is shutting down`);
  }

  /** Throws when writes are no longer taken (stopping, or stopped after a fatal error). */
  assertAcceptingWrites(): void {
    this.assertRunning();
    if (this.draining) throw new ChronosError('SHUTTING_DOWN', `node ${this.#id} is shutting down`);
  }

  /** True while the node serves (not stopping, no fatal error). */
  get serving(): boolean {
    return this.#fatal() === null && !this.draining;
  }
}
