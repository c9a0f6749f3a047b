import type { Clock } from './clock.js';
import { systemClock } from './clock.js';

/**
 * Lets a repeating warning through once per interval and key: a peer refusing every call
 * retries several times a second, and the operator needs the first line, not thousands.
 */
export class LogThrottle {
  readonly #intervalMs: number;
  readonly #clock: Clock;
  readonly #lastMs = new Map<string, number>();

  constructor(intervalMs: number, clock: Clock = systemClock) {
    this.#intervalMs = intervalMs;
    this.#clock = clock;
  }

  /** True if a message under `key` may be logged now (and counts it as logged). */
  due(key: string): boolean {
    const nowMs = this.#clock.nowMs();
    const lastMs = this.#lastMs.get(key);
    if (lastMs !== undefined && nowMs - lastMs < this.#intervalMs) return false;
    this.#lastMs.set(key, nowMs);
    return true;
  }
}
