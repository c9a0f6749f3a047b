import { assert } from '../lib/index.js';
import type { Logger } from '../lib/index.js';
import type { RaftCore, Snapshot } from '../raft/index.js';
import type { StorageEngine } from '../storage/index.js';
import type { Wal } from '../wal/index.js';
import { collect, singleChunk } from './snapshot-bytes.js';
import { installedSnapshotValue } from './installed-snapshot.js';

/**
 * Snapshots of one node: compacting the log into a storage image every so many applied
 * entries, and installing an image the leader sent. `settled` waits for the applies already
 * chained behind the Raft loop, so an export is exactly the state at its index.
 */
export class SnapshotKeeper {
  /** Index of the newest snapshot the WAL records (the log starts after it). */
  index: number;
  readonly #storage: StorageEngine;
  readonly #core: RaftCore;
  readonly #wal: Wal;
  readonly #log: Logger;
  readonly #everyEntries: number;
  readonly #settled: () => Promise<void>;
  readonly #keepImage: boolean;

  constructor(init: {
    readonly index: number; readonly storage: StorageEngine; readonly core: RaftCore; readonly wal: Wal;
    readonly log: Logger; readonly everyEntries: number; readonly settled: () => Promise<void>;
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
    this.#settled = init.settled;
  }

  /** True once applying up to `index` reaches the next compaction (its batch is fsynced). */
  isDue(index: number): boolean {
    return index - this.index >= this.#everyEntries;
  }

  /** Compacts when enough entries were applied since the last snapshot. */
  async maybeTake(): Promise<void> {
    if (this.isDue(this.#storage.appliedIndex)) await this.take();
  }

  /** Exports storage at the applied index, hands it to the core, and drops covered segments. */
  async take(): Promise<void> {
    await this.#settled();
    const index = this.#storage.appliedIndex;
    if (index === 0) return;
    // Without followers to send it to, the log is compacted without exporting the state.
    const data = this.#keepImage ? await collect(this.#storage.exportSnapshot()) : new Uint8Array(0);
    const meta = this.#core.compact(index, data);
    if (meta === null) return;
    // The WAL learns the snapshot first: its segments may only go once a record says what
    // replaces them.
    await this.#wal.save({ snapshot: meta });
    await this.#wal.compact(index);
    this.index = index;
    this.#log.info('log compacted', { index, bytes: data.length });
  }

  /** Installs a leader's snapshot into storage (before the WAL records it). */
  async install(snapshot: Snapshot): Promise<void> {
    await this.#settled();
    // Storage takes the image first: if we crash before the WAL records it, storage is merely
    // ahead of its log and the open check reports it instead of losing anything.
    await this.#storage.importSnapshot(singleChunk(snapshot.data), installedSnapshotValue(snapshot.meta));
    assert(this.#storage.appliedIndex === snapshot.meta.index,
      `installed snapshot at ${snapshot.meta.index} but storage applied ${this.#storage.appliedIndex}`);
    this.index = snapshot.meta.index;
    this.#log.info('installed snapshot', { index: snapshot.meta.index, term: snapshot.meta.term });
  }
}
