import { assert, ChronosError } from '../lib/index.js';
import type { Entry, HardState, SnapshotMeta } from '../raft/index.js';
import { diskPath } from './disk.js';
import type { Disk, DiskFile } from './disk.js';
import type { LogModel } from './log-model.js';
import { RECORD_PAYLOAD_BYTES_MAX, RecordWriter } from './record.js';
import { recoverWal } from './recover.js';
import type { WalLogger } from './recover.js';
import { segmentFileName } from './segment.js';
import type { SegmentName } from './segment.js';

/** How a Wal is opened. */
export interface WalOptions {
  /** Told about repairs made on open (a torn tail cut off, a stray file ignored). */
  readonly logger: WalLogger;
  /** A new segment starts once the current one reaches this size. Default 64 MiB. */
  readonly segmentBytesMax?: number;
}

/** What one `save` makes durable; written in the order snapshot, entries, hard state. */
export interface WalBatch {
  readonly hardState?: HardState;
  /** Contiguous; an index ≤ the last index overwrites the log from there (Raft §5.3). */
  readonly entries?: readonly Entry[];
  readonly snapshot?: SnapshotMeta;
}

/** The durable state restored by `Wal.open`. `entries` all come after `snapshot`. */
export interface WalState {
  readonly hardState: HardState;
  readonly snapshot: SnapshotMeta | null;
  readonly entries: Entry[];
}

/** The default segment size: large enough that rotation (2 extra syncs) is rare. */
export const SEGMENT_BYTES_DEFAULT = 64 * 1024 * 1024;

type Operation =
  | { readonly kind: 'save'; readonly batch: WalBatch; readonly done: Settle }
  | { readonly kind: 'compact'; readonly snapshotIndex: number; readonly done: Settle }
  | { readonly kind: 'close'; readonly done: Settle };

interface Settle {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The Raft log as segment files of CRC-framed records over a Disk. Operations run one at a
 * time in arrival order; saves that queue up while a write is in flight are merged into the
 * next single append + single fsync (group commit).
 */
export class Wal {
  readonly #disk: Disk;
  readonly #dir: string;
  readonly #segmentBytesMax: number;
  readonly #model: LogModel;
  /** Oldest first; the last one is `#file`. Never empty while open. */
  readonly #segments: SegmentName[];
  #file: DiskFile;
  #fileBytes: number;
  #queue: Operation[] = [];
  #draining = false;
  /** Set by the first failed write or fsync: after that nothing is trusted (fsyncgate). */
  #failure: unknown = null;
  #closed = false;

  private constructor(init: {
    disk: Disk;
    dir: string;
    segmentBytesMax: number;
    model: LogModel;
    segments: SegmentName[];
    file: DiskFile;
    fileBytes: number;
  }) {
    this.#disk = init.disk;
    this.#dir = init.dir;
    this.#segmentBytesMax = init.segmentBytesMax;
    this.#model = init.model;
    this.#segments = init.segments;
    this.#file = init.file;
    this.#fileBytes = init.fileBytes;
  }

  /** Opens (or creates) the WAL in `dir` and returns everything it holds. */
  static async open(
    disk: Disk,
    dir: string,
    options: WalOptions,
  ): Promise<{ wal: Wal; state: WalState }> {
    const segmentBytesMax = options.segmentBytesMax ?? SEGMENT_BYTES_DEFAULT;
    if (!Number.isSafeInteger(segmentBytesMax) || segmentBytesMax < 1) {
      throw new ChronosError('CONFIG_ERROR', `WAL segmentBytesMax ${segmentBytesMax} must be > 0`);
    }
    await disk.mkdir(dir);
    const recovery = await recoverWal(disk, dir, options.logger);
    const { model, segments } = recovery;
    let file: DiskFile;
    let fileBytes: number;
    const last = segments[segments.length - 1];
    if (last === undefined) {
      const segment = startSegment(model, recovery.nextSeq);
      file = await disk.openAppend(diskPath(dir, segment.name));
      await file.append(segment.header);
      await file.sync();
      await disk.syncDir(dir);
      segments.push(segment);
      fileBytes = segment.header.length;
    } else {
      file = await disk.openAppend(diskPath(dir, last.name));
      fileBytes = recovery.lastSegmentBytes;
    }
    const wal = new Wal({ disk, dir, segmentBytesMax, model, segments, file, fileBytes });
    const state: WalState = {
      hardState: model.hardState,
      snapshot: model.snapshot,
      entries: recovery.entries,
    };
    return { wal, state };
  }

  /** Index of the last entry saved (or of the snapshot when no entry follows it). */
  get lastIndex(): number {
    return this.#model.lastIndex();
  }

  /** Names of the segment files, oldest first. */
  get segmentNames(): readonly string[] {
    return this.#segments.map((segment) => segment.name);
  }

  /** Appends the batch's records and resolves once they are fsynced. */
  save(batch: WalBatch): Promise<void> {
    return this.#enqueue((done) => ({ kind: 'save', batch, done }));
  }

  /** Deletes every segment whose entries are all ≤ `snapshotIndex` (never the last one). */
  compact(snapshotIndex: number): Promise<void> {
    return this.#enqueue((done) => ({ kind: 'compact', snapshotIndex, done }));
  }

  /** Waits for queued operations, then closes the current segment. */
  close(): Promise<void> {
    return this.#enqueue((done) => ({ kind: 'close', done }));
  }

  #enqueue(make: (done: Settle) => Operation): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new ChronosError('SHUTTING_DOWN', `WAL ${this.#dir} is closed`));
    }
    const promise = new Promise<void>((resolve, reject) => {
      const operation = make({ resolve, reject });
      if (operation.kind === 'close') this.#closed = true;
      this.#queue.push(operation);
    });
    if (!this.#draining) void this.#drain();
    return promise;
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      // Bounded: every iteration removes at least one operation; new ones only extend it.
      while (this.#queue.length > 0) {
        const head = this.#queue[0];
        assert(head !== undefined, 'queue head');
        if (head.kind !== 'save') {
          this.#queue.shift();
          await this.#settle(head.done, () =>
            head.kind === 'close' ? this.#file.close() : this.#compact(head.snapshotIndex),
          );
          continue;
        }
        const group: Array<Extract<Operation, { kind: 'save' }>> = [];
        while (this.#queue[0]?.kind === 'save') {
          const next = this.#queue.shift();
          if (next?.kind === 'save') group.push(next);
        }
        await this.#writeGroup(group);
      }
    } finally {
      this.#draining = false;
    }
  }

  async #settle(done: Settle, work: () => Promise<void>): Promise<void> {
    try {
      await work();
      done.resolve();
    } catch (error) {
      done.reject(error);
    }
  }

  /** One append and one fsync for every valid save in the group. */
  async #writeGroup(group: ReadonlyArray<Extract<Operation, { kind: 'save' }>>): Promise<void> {
    if (this.#failure !== null) {
      for (const save of group) save.done.reject(this.#failedError());
      return;
    }
    const rotate = this.#fileBytes >= this.#segmentBytesMax;
    const next = rotate ? startSegment(this.#model, this.#lastSeq() + 1) : null;
    const writer = new RecordWriter();
    const accepted: Settle[] = [];
    for (const save of group) {
      const problem = batchProblem(this.#model, save.batch);
      if (problem !== null) {
        save.done.reject(new ChronosError('INVALID_ARGUMENT', `WAL ${this.#dir}: ${problem}`));
        continue;
      }
      accepted.push(save.done);
      try {
        addBatch(this.#model, writer, save.batch);
      } catch (error) {
        // The model may be half-updated: nothing after this can be trusted.
        this.#failure = error;
        for (const done of accepted) done.reject(error);
        for (const rest of group) if (!accepted.includes(rest.done)) rest.done.reject(error);
        return;
      }
    }
    if (accepted.length === 0) return;
    try {
      if (next === null) {
        await this.#file.append(writer.bytes());
        await this.#file.sync();
        this.#fileBytes += writer.length;
      } else {
        await this.#rotate(next, writer.bytes());
      }
    } catch (error) {
      this.#failure = error;
      for (const done of accepted) done.reject(error);
      return;
    }
    for (const done of accepted) done.resolve();
  }

  async #rotate(next: StartedSegment, batchBytes: Uint8Array): Promise<void> {
    const file = await this.#disk.openAppend(diskPath(this.#dir, next.name));
    const bytes = new Uint8Array(next.header.length + batchBytes.length);
    bytes.set(next.header, 0);
    bytes.set(batchBytes, next.header.length);
    await file.append(bytes);
    await file.sync();
    // The new file's name must be durable too, or a crash would lose the synced batch.
    await this.#disk.syncDir(this.#dir);
    await this.#file.close();
    this.#file = file;
    this.#fileBytes = bytes.length;
    this.#segments.push({ seq: next.seq, firstIndex: next.firstIndex, name: next.name });
  }

  async #compact(snapshotIndex: number): Promise<void> {
    const snapshotAt = this.#model.snapshot?.index ?? 0;
    if (!Number.isSafeInteger(snapshotIndex) || snapshotIndex > snapshotAt) {
      throw new ChronosError(
        'INVALID_ARGUMENT',
        `WAL ${this.#dir}: cannot compact to ${snapshotIndex}, ` +
          `the saved snapshot is at ${snapshotAt}`,
      );
    }
    // Segment k holds only entries < firstIndex of segment k + 1, whose header restates the
    // hard state and snapshot, so k can go once that bound is inside the snapshot.
    while (this.#segments.length >= 2) {
      const [oldest, following] = this.#segments;
      if (oldest === undefined || following === undefined) break;
      if (following.firstIndex - 1 > snapshotIndex) break;
      await this.#disk.unlink(diskPath(this.#dir, oldest.name));
      // One synced unlink at a time keeps the surviving segments contiguous after a crash.
      await this.#disk.syncDir(this.#dir);
      this.#segments.shift();
    }
  }

  #lastSeq(): number {
    const last = this.#segments[this.#segments.length - 1];
    assert(last !== undefined, 'an open WAL has a segment');
    return last.seq;
  }

  #failedError(): ChronosError {
    return new ChronosError('IO_ERROR', `WAL ${this.#dir} failed earlier and must be reopened`, {
      cause: this.#failure,
    });
  }
}

interface StartedSegment extends SegmentName {
  /** The segment-start record plus the current hard state and snapshot. */
  readonly header: Uint8Array;
}

/** A new segment's name and header; the header restates the state so older ones can go. */
function startSegment(model: LogModel, seq: number): StartedSegment {
  const firstIndex = model.lastIndex() + 1;
  const writer = new RecordWriter();
  writer.add({ kind: 'segment-start', seq, firstIndex });
  writer.add({ kind: 'hard-state', hardState: model.hardState });
  if (model.snapshot !== null) {
    writer.add({ kind: 'snapshot', snapshot: model.snapshot, keepSuffix: true });
  }
  return { seq, firstIndex, name: segmentFileName(seq, firstIndex), header: writer.bytes() };
}

/** Why a batch cannot be saved on top of `model`, or null. Checked before anything is written. */
function batchProblem(model: LogModel, batch: WalBatch): string | null {
  const { snapshot, hardState } = batch;
  let snapshotIndex = model.snapshot?.index ?? 0;
  let lastIndex = model.lastIndex();
  if (snapshot !== undefined) {
    if (!isIndex(snapshot.index) || !isIndex(snapshot.term)) return 'snapshot index/term invalid';
    if (snapshot.index < snapshotIndex) {
      return `snapshot ${snapshot.index} is older than the saved one at ${snapshotIndex}`;
    }
    snapshotIndex = snapshot.index;
    lastIndex = model.keepsSuffix(snapshot) ? Math.max(lastIndex, snapshot.index) : snapshot.index;
  }
  if (hardState !== undefined && (!isIndex(hardState.term) || !isIndex(hardState.commit))) {
    return 'hard state term/commit invalid';
  }
  const entries = batch.entries ?? [];
  for (const [position, entry] of entries.entries()) {
    if (entry.data.length > ENTRY_DATA_BYTES_MAX) {
      return `entry ${entry.index} has ${entry.data.length} bytes, over ${ENTRY_DATA_BYTES_MAX}`;
    }
    if (!isIndex(entry.index) || !isIndex(entry.term)) {
      return `entry ${position} index/term invalid`;
    }
    if (position === 0 && (entry.index <= snapshotIndex || entry.index > lastIndex + 1)) {
      return `entry ${entry.index} must be in (${snapshotIndex}, ${lastIndex + 1}]`;
    }
    const previous = entries[position - 1];
    if (previous !== undefined && entry.index !== previous.index + 1) {
      return `entries not contiguous at ${previous.index} -> ${entry.index}`;
    }
  }
  return null;
}

/** Entry payload bound: a record's payload limit minus index, term and type. */
const ENTRY_DATA_BYTES_MAX = RECORD_PAYLOAD_BYTES_MAX - 17;

function isIndex(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** Writes a batch's records and applies them to the model, in the order replay will. */
function addBatch(model: LogModel, writer: RecordWriter, batch: WalBatch): void {
  if (batch.snapshot !== undefined) {
    const keepSuffix = model.keepsSuffix(batch.snapshot);
    writer.add({ kind: 'snapshot', snapshot: batch.snapshot, keepSuffix });
    model.applySnapshot(batch.snapshot, keepSuffix);
  }
  for (const entry of batch.entries ?? []) {
    writer.add({ kind: 'entry', entry });
    model.append(entry);
  }
  if (batch.hardState !== undefined) {
    writer.add({ kind: 'hard-state', hardState: batch.hardState });
    model.hardState = batch.hardState;
  }
}
