import { assert, errorMessage } from '../lib/index.js';
import type { Logger } from '../lib/index.js';
import type { RaftCore, Snapshot } from '../raft/index.js';
import type { StorageEngine } from '../storage/index.js';
import type { Wal } from '../wal/index.js';
import { collect, singleChunk } from './snapshot-bytes.js';
import { installedSnapshotValue } from './installed-snapshot.js';

/**
 * Applied entries between snapshots unless configured (CHRONOS_SNAPSHOT_EVERY_ENTRIES): every
 * snapshot exports the whole storage image on every node, so a growing table must not be
 * re-read every few seconds of writes (docs/operations.md has the figures).
 */
export const SNAPSHOT_EVERY_ENTRIES = 100_000;

/** Entry bytes logged since the last snapshot that make the next one due (unless the last image is larger). */
export const SNAPSHOT_EVERY_BYTES = 64 * 1024 * 1024;

/** Runs `work` between two applies of the Raft loop's apply pipeline (none is open meanwhile). */
export type BetweenApplies = <T>(work: () => Promise<T>) => Promise<T>;

/** An image exported in the background, waiting for the Raft loop to compact the log to it. */
interface ExportedImage {
  readonly index: number;
  readonly data: Uint8Array;
}

/**
 * Snapshots of one node: compacting the log into a storage image every so many applied
 * entries, or once the entries logged since the last one outgrow both a byte budget and that
 * image (ingest entries of thousands of readings would otherwise keep 10,000 of them, a gigabyte,
 * in memory and in the WAL; comparing with the image keeps export work proportional to what was
 * logged), and installing an image the leader sent. An export reads a LevelDB snapshot taken
 * between two applies, so it is exactly the state at its index; the Raft loop goes on while it
 * runs (every node of a cluster reaches the same index at once, and an export of a large table
 * takes a tenth of a second or more) and compacts once the image is ready.
 */
export class SnapshotKeeper {
  /** Index of the newest snapshot the WAL records (the log starts after it). */
  index: number;
  readonly #storage: StorageEngine;
  readonly #core: RaftCore;
  readonly #wal: Wal;
  readonly #log: Logger;
  readonly #everyEntries: number;
  readonly #betweenApplies: BetweenApplies;
  readonly #keepImage: boolean;
  readonly #everyBytes: number;
  /** Entry bytes persisted since the last snapshot. */
  #loggedBytes = 0;
  /** Size of the last image exported (0 before one, or without images). */
  #imageBytes = 0;
  /**
   * The first index isDue answered true for by bytes: that apply and every later one until the
   * snapshot are written with sync, so compaction may not start before it is applied.
   */
  #dueByBytesAt: number | null = null;
  /** The export running in the background, null when none runs. */
  #exporting: Promise<void> | null = null;
  #exported: ExportedImage | null = null;

  constructor(init: {
    readonly index: number; readonly storage: StorageEngine; readonly core: RaftCore; readonly wal: Wal;
    readonly log: Logger; readonly everyEntries: number; readonly betweenApplies: BetweenApplies;
    /** Entry bytes logged that make a snapshot due (when the last image is no larger). */
    readonly everyBytes: number;
    /** False for a single-node dir's one voter: nobody will ever be sent the image. */
    readonly keepImage: boolean;
  }) {
    this.#keepImage = init.keepImage;
    this.index = init.index;
    this.#storage = init.storage;
    this.#core = init.core;
    this.#wal = init.wal;
    this.#log = init.log;
    this.#everyEntries = init.everyEntries;
    this.#everyBytes = init.everyBytes;
    this.#betweenApplies = init.betweenApplies;
  }

  /** Counts entry bytes the WAL persisted (a trigger, so approximate is fine). */
  logged(bytes: number): void {
    this.#loggedBytes += bytes;
  }

  /** True once applying up to `index` reaches the next compaction (its batch is fsynced). */
  isDue(index: number): boolean {
    if (index - this.index >= this.#everyEntries) return true;
    if (this.#loggedBytes < Math.max(this.#everyBytes, this.#imageBytes)) return false;
    this.#dueByBytesAt ??= index;
    return true;
  }

  /** An image exported in the background waits for maybeTake. */
  get exportReady(): boolean {
    return this.#exported !== null;
  }

  /**
   * Called by the Raft loop between Ready cycles: compacts the log to an image exported in the
   * background, or starts exporting one when enough entries were applied since the last
   * snapshot, or enough bytes logged. Without an image to keep, compacts at once.
   */
  async maybeTake(): Promise<void> {
    const exported = this.#exported;
    if (exported !== null) {
      this.#exported = null;
      await this.#compactTo(exported.index, exported.data);
      return;
    }
    if (this.#exporting !== null || !this.#due()) return;
    if (!this.#keepImage) {
      await this.take();
      return;
    }
    this.#exporting = this.#exportInBackground().finally(() => { this.#exporting = null; });
  }

  /** Waits for an export running in the background (a stopping node closes storage after it). */
  async exportSettled(): Promise<void> {
    await this.#exporting;
  }

  /** Exports storage at the applied index, hands it to the core, and drops covered segments. */
  async take(): Promise<void> {
    if (!this.#keepImage) {
      // Without followers to send it to, the log is compacted without exporting the state.
      const index = await this.#betweenApplies(() => Promise.resolve(this.#storage.appliedIndex));
      if (index > 0) await this.#compactTo(index, new Uint8Array(0));
      return;
    }
    const { index, data } = await this.#exportImage();
    if (index > 0) await this.#compactTo(index, data);
  }

  /** The image of storage at the applied index of a moment between two applies. */
  async #exportImage(): Promise<{ readonly index: number; readonly data: Uint8Array }> {
    const { index, chunks } = await this.#betweenApplies(() => this.#storage.openExport());
    return { index, data: await collect(chunks) };
  }

  #due(): boolean {
    const applied = this.#storage.appliedIndex;
    return applied - this.index >= this.#everyEntries ||
      (this.#dueByBytesAt !== null && applied >= this.#dueByBytesAt);
  }

  async #exportInBackground(): Promise<void> {
    try {
      const { index, data } = await this.#exportImage();
      // The loop compacts to it at its next turn (every tick gives it one).
      if (index > this.index) this.#exported = { index, data };
    } catch (error) {
      // The next due check starts another export; the log keeps its entries meanwhile.
      this.#log.error('snapshot export failed', { error: errorMessage(error) });
    }
  }

  async #compactTo(index: number, data: Uint8Array): Promise<void> {
    const meta = this.#core.compact(index, data);
    if (meta === null) {
      this.#forgetLogged(data.length);
      return;
    }
    // The WAL learns the snapshot first: its segments may only go once a record says what
    // replaces them.
    await this.#wal.save({ snapshot: meta });
    await this.#wal.compact(index);
    this.index = index;
    this.#forgetLogged(data.length);
    this.#log.info('log compacted', { index, bytes: data.length });
  }

  /** Installs a leader's snapshot into storage (before the WAL records it). */
  async install(snapshot: Snapshot): Promise<void> {
    // An export that ends around an install is of an older index than the image (a leader
    // sends one only beyond our commit): the core refuses to compact back to it.
    this.#exported = null;
    await this.#betweenApplies(async () => undefined);
    // Storage takes the image first: if we crash before the WAL records it, storage is merely
    // ahead of its log and the open check reports it instead of losing anything.
    await this.#storage.importSnapshot(singleChunk(snapshot.data), installedSnapshotValue(snapshot.meta));
    assert(this.#storage.appliedIndex === snapshot.meta.index,
      `installed snapshot at ${snapshot.meta.index} but storage applied ${this.#storage.appliedIndex}`);
    this.index = snapshot.meta.index;
    this.#forgetLogged(snapshot.data.length);
    this.#log.info('installed snapshot', { index: snapshot.meta.index, term: snapshot.meta.term });
  }

  #forgetLogged(imageBytes: number): void {
    this.#loggedBytes = 0;
    this.#imageBytes = imageBytes;
    this.#dueByBytesAt = null;
  }
}
