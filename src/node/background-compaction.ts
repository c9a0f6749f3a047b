import { errorMessage } from '../lib/index.js';
import type { Clock, Logger, Scheduler, Timer } from '../lib/index.js';
import type { CompactionStepOutcome } from '../storage/index.js';

/** Blocks one step reads at most: a step holds the event loop for a few milliseconds. */
const WINDOW_BLOCKS = 32;
/** The pause between the steps of a pass: applies and reads run in it... */
const STEP_PAUSE_MS = 10;
/**
 * ...and at least this many times the last step's length: on a loaded 2-core host, steps 10 ms
 * apart (clearing a dropped table on three nodes at once) halved a writer's rate beside them.
 */
const STEP_PAUSE_FACTOR = 3;
/** The pause between passes is at least this, and this many times the last pass's length. */
const PASS_PAUSE_MIN_MS = 1_000;
const PASS_PAUSE_FACTOR = 4;
/** ...and at most this (a pass slowed by applies it waits behind must not stall compaction). */
const PASS_PAUSE_MAX_MS = 30_000;

/** One compaction step, run where no apply transaction is open (the apply pipeline). */
export type CompactionStep = (maxBlocks: number) => Promise<CompactionStepOutcome>;

/**
 * Merges a node's small column blocks into full ones in the background, one bounded window at
 * a time: folds of per-device appends leave blocks of a few rows, which cost space and scan
 * time until merged. A pass goes through every columnar table with short pauses between its
 * steps; the pause between passes keeps passes to a fifth of the time at most, and a pass that
 * merged nothing and left nothing to sweep is not repeated until something was written
 * (`writeMark` moved): an idle node reads nothing. A failed step is logged and the next one tries again.
 */
export class BackgroundCompaction {
  readonly #step: CompactionStep;
  readonly #log: Logger;
  readonly #scheduler: Scheduler;
  readonly #clock: Clock;
  #timer: Timer | null = null;
  #stopped = false;
  #running: Promise<void> = Promise.resolve();
  #blocksRemoved = 0;
  #pass: { readonly startedMs: number; readonly writeMark: number; removed: number } | null = null;
  /** The write mark at the start of the last pass that merged nothing (nothing to do until it moves). */
  #settledAt: number | null = null;
  readonly #writeMark: () => number;

  /** `writeMark` changes whenever storage took a write (the applied index). */
  constructor(step: CompactionStep, log: Logger, scheduler: Scheduler, clock: Clock, writeMark: () => number) {
    this.#writeMark = writeMark;
    this.#scheduler = scheduler;
    this.#clock = clock;
    this.#step = step;
    this.#log = log;
  }

  /** Blocks merged away since the node started. */
  get blocksRemoved(): number {
    return this.#blocksRemoved;
  }

  /** True when the last pass merged nothing and nothing was written since: no pass is due. */
  get settled(): boolean {
    return this.#settledAt !== null && this.#settledAt === this.#writeMark();
  }

  /** Starts stepping (the first step after a second). */
  start(): void {
    this.#schedule(PASS_PAUSE_MIN_MS);
  }

  /** Stops; resolves once a step already running has finished (close storage after this). */
  stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    return this.#running;
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = this.#scheduler.after(ms, () => {
      this.#running = this.#run();
    });
  }

  async #run(): Promise<void> {
    if (this.#pass === null) {
      const writeMark = this.#writeMark();
      if (writeMark === this.#settledAt) {
        this.#schedule(PASS_PAUSE_MIN_MS);
        return;
      }
      this.#pass = { startedMs: this.#clock.nowMs(), writeMark, removed: 0 };
    }
    const pass = this.#pass;
    try {
      const stepStartMs = this.#clock.nowMs();
      const { blocksRemoved, passEnded, sweepPending } = await this.#step(WINDOW_BLOCKS);
      this.#blocksRemoved += blocksRemoved;
      pass.removed += blocksRemoved;
      if (!passEnded) {
        this.#schedule(Math.max(STEP_PAUSE_MS, STEP_PAUSE_FACTOR * (this.#clock.nowMs() - stepStartMs)));
        return;
      }
      this.#pass = null;
      // Settled only with nothing merged and no garbage left to sweep (a pass after writes stop sweeps it).
      this.#settledAt = pass.removed === 0 && !sweepPending ? pass.writeMark : null;
      const pause = PASS_PAUSE_FACTOR * (this.#clock.nowMs() - pass.startedMs);
      this.#schedule(Math.min(PASS_PAUSE_MAX_MS, Math.max(PASS_PAUSE_MIN_MS, pause)));
    } catch (error) {
      this.#log.warn('background compaction step failed; trying again later', { error: errorMessage(error) });
      this.#schedule(PASS_PAUSE_MIN_MS);
    }
  }
}
