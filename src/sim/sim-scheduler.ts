import type { Clock, Scheduler, Timer } from '../lib/index.js';
import { PacketQueue } from './packet-queue.js';

/** Who a timer belongs to: a node incarnation's timers die with it. */
export interface TimerOwner {
  alive: boolean;
}

interface SimEvent {
  readonly owner: TimerOwner;
  readonly work: () => void;
  cancelled: boolean;
}

/** Simulated time starts here, so `now()` looks like a real date to SQL. */
const EPOCH_MS = Date.UTC(2026, 0, 1);
const EVENTS_MAX = 1_000_000;
/** Real event-loop turns with nothing deferred before the system counts as settled. */
const QUIET_TURNS = 3;
const SETTLE_TURNS_MAX = 10_000;

const nextRealTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Simulated time for every node of a simulation: one queue of timers ordered by (due time,
 * order of scheduling), so a seed replays the same interleaving. Between events the real
 * event loop settles the promise chains (SimDisk, memory-level) the events started.
 */
export class SimScheduler implements Clock {
  readonly #events = new PacketQueue<SimEvent>(EVENTS_MAX);
  #deferred: SimEvent[] = [];
  #sequence = 0;
  #elapsedMs = 0;

  /** Milliseconds since the simulation started. */
  get elapsedMs(): number {
    return this.#elapsedMs;
  }

  nowMs(): number {
    return EPOCH_MS + this.#elapsedMs;
  }

  /** The timers and deferrals of one owner (a node incarnation, or the simulation itself). */
  forOwner(owner: TimerOwner): Scheduler {
    return {
      after: (ms, work) => this.#at(owner, ms, work),
      every: (ms, work) => {
        let current: Timer | null = null;
        let stopped = false;
        const arm = (): void => {
          current = this.#at(owner, ms, () => {
            if (stopped) return;
            arm();
            work();
          });
        };
        arm();
        return { cancel: () => { stopped = true; current?.cancel(); } };
      },
      defer: (work) => {
        this.#deferred.push({ owner, work, cancelled: false });
      },
      sleep: (ms) => new Promise((resolve) => { this.#at(owner, ms, resolve); }),
      monotonicMs: () => this.#elapsedMs,
    };
  }

  #at(owner: TimerOwner, ms: number, work: () => void): Timer {
    const event: SimEvent = { owner, work, cancelled: false };
    this.#sequence += 1;
    this.#events.push({ deliverAtMs: this.#elapsedMs + Math.max(0, ms), sequence: this.#sequence, payload: event });
    return { cancel: () => { event.cancelled = true; } };
  }

  /** Runs every event due up to `targetMs` (simulated), settling after each. */
  async runUntil(targetMs: number): Promise<void> {
    await this.settle();
    for (let packet = this.#events.popDue(targetMs); packet !== undefined; packet = this.#events.popDue(targetMs)) {
      this.#elapsedMs = Math.max(this.#elapsedMs, packet.deliverAtMs);
      const event = packet.payload;
      if (!event.cancelled && event.owner.alive) event.work();
      await this.settle();
    }
    this.#elapsedMs = Math.max(this.#elapsedMs, targetMs);
  }

  /** Runs deferred work and lets promise chains finish until nothing more happens. */
  async settle(): Promise<void> {
    let quiet = 0;
    for (let turn = 0; turn < SETTLE_TURNS_MAX && quiet < QUIET_TURNS; turn += 1) {
      const deferred = this.#deferred;
      this.#deferred = [];
      for (const event of deferred) if (event.owner.alive) event.work();
      await nextRealTurn();
      quiet = deferred.length === 0 && this.#deferred.length === 0 ? quiet + 1 : 0;
    }
  }
}
