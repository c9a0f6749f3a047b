import { errorMessage } from '../lib/index.js';
import type { Logger, Scheduler, Timer } from '../lib/index.js';

/** Blocks one step reads at most: a step holds the event loop for a few milliseconds. */
const WINDOW_BLOCKS = 32;
/** The pause after a step that found nothing to merge, and after one that did. */
const IDLE_MS = 1_000;
const BUSY_MS = 50;

/** One compaction step, run where no apply transaction is open (the apply pipeline). */
export type CompactionStep = (maxBlocks: number) => Promise<{ blocksRead: number; blocksRemoved: number }>;

/**
 * Merges a node's small column blocks into full ones in the background, one bounded window at
 * a time: folds of per-device appends leave blocks of a few rows, which cost space and scan
 * time until merged. Steps come quickly while they find work and once a second otherwise; a
 * failed step is logged and the next one tries again.
 */
export class BackgroundCompaction {
  readonly #step: CompactionStep;
  readonly #log: Logger;
  readonly #scheduler: Scheduler;
  #timer: Timer | null = null;
  #stopped = false;
  #running: Promise<void> = Promise.resolve();
  #blocksRemoved = 0;

  constructor(step: CompactionStep, log: Logger, scheduler: Scheduler) {
    this.#scheduler = scheduler;
    this.#step = step;
    this.#log = log;
  }

  /** Blocks merged away since the node started. */
  get blocksRemoved(): number {
    return this.#blocksRemoved;
  }

  /** Starts stepping (the first step after a second). */
  start(): void {
    this.#schedule(IDLE_MS);
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
    try {
      const { blocksRemoved } = await this.#step(WINDOW_BLOCKS);
      this.#blocksRemoved += blocksRemoved;
      this.#schedule(blocksRemoved > 0 ? BUSY_MS : IDLE_MS);
    } catch (error) {
      this.#log.warn('background compaction step failed; trying again later', { error: errorMessage(error) });
      this.#schedule(IDLE_MS);
    }
  }
}
