import { open, readdir, readFile, rm, truncate } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { appendAll, ChronosError, errorMessage, makeDirectories, writeFully } from '../lib/index.js';
import type { Logger } from '../lib/index.js';
import { journalIncarnation } from './journal-id.js';
import { encodeJournalRecord, scanJournalSegment } from './journal-record.js';
import type { JournalCodec, JournalRecord } from './journal-record.js';

export type { JournalCodec, JournalRecord } from './journal-record.js';

/** A segment file: `<first seq, 20 digits>.journal`. */
interface Segment {
  readonly path: string;
  readonly firstSeq: number;
  lastSeq: number;
  bytes: number;
}

interface QueuedAppend<T> {
  readonly item: T;
  readonly receivedAtMs: number;
  readonly resolve: (seq: number) => void;
  readonly reject: (error: Error) => void;
}

/** What the journal holds that is not yet applied. */
export interface JournalStats {
  readonly pendingRecords: number;
  /** Readings or points journaled (answered) but not yet applied. */
  readonly pendingItems: number;
  /** Bytes of the segment files on disk (applied records linger until their segment goes). */
  readonly diskBytes: number;
  readonly oldestPendingReceivedAtMs: number | null;
}

const SEGMENT_SUFFIX = '.journal';
/** A new segment starts past this size, so applied records leave the disk soon. */
const SEGMENT_BYTES_MAX = 8 * 1024 * 1024;

/**
 * An ingest journal: accepted readings (or points) are appended and fsynced before the request
 * is answered (202 or 204), and stay until the drainer has applied them through the log. Appends that arrive while
 * an fsync runs share the next one (group commit). A failed write or fsync stops the journal:
 * every later append is refused, since what reached the disk is then unknown.
 */
export class IngestJournal<T> {
  readonly #dir: string;
  readonly #codec: JournalCodec<T>;
  readonly #log: Logger;
  readonly #segments: Segment[];
  #pending: JournalRecord<T>[];
  /** Weight of `#pending`, kept as it changes: the backlog check runs on every request. */
  #pendingItems: number;
  #handle: FileHandle | null = null;
  #nextSeq: number;
  #queue: QueuedAppend<T>[] = [];
  #flushing = false;
  #failed: Error | null = null;
  #closed = false;
  #onAppend: (() => void) | null = null;

  /** The journal's incarnation (journal-id.ts); null for a journal older than ids. */
  readonly id: string | null;

  private constructor(dir: string, codec: JournalCodec<T>, log: Logger, segments: Segment[],
    records: JournalRecord<T>[], id: string | null) {
    this.id = id;
    this.#dir = dir;
    this.#codec = codec;
    this.#log = log;
    this.#segments = segments;
    this.#pending = records;
    this.#pendingItems = totalWeight(records);
    this.#nextSeq = (segments.at(-1)?.lastSeq ?? 0) + 1;
  }

  /** Opens (or creates) the journal in `dir`, cutting a torn tail left by a crash. */
  static async open<T>(dir: string, codec: JournalCodec<T>, log: Logger): Promise<IngestJournal<T>> {
    makeDirectories(dir);
    const names = (await readdir(dir)).filter((name) => name.endsWith(SEGMENT_SUFFIX)).sort();
    const segments: Segment[] = [];
    const records: JournalRecord<T>[] = [];
    for (const [i, name] of names.entries()) {
      const path = join(dir, name);
      const bytes = await readFile(path);
      const scan = scanJournalSegment(bytes, codec);
      const isLast = i === names.length - 1;
      if (scan.fault !== null && !isLast) {
        throw new ChronosError('CORRUPTION', `ingest journal ${path}: ${scan.fault}`);
      }
      if (scan.fault !== null) {
        // A record cut short by a crash was never answered 202 (its fsync never finished).
        log.warn('ingest journal: cut a torn tail', { file: path, at: scan.goodLength });
        await truncate(path, scan.goodLength);
      }
      const firstSeq = Number(name.slice(0, -SEGMENT_SUFFIX.length));
      const lastSeq = scan.records.at(-1)?.seq ?? firstSeq - 1;
      segments.push({ path, firstSeq, lastSeq, bytes: scan.goodLength });
      appendAll(records, scan.records);
    }
    return new IngestJournal(dir, codec, log, segments, records, await journalIncarnation(dir, names.length > 0));
  }

  /** Appends one record; resolves with its sequence number once fsynced. */
  append(item: T, receivedAtMs: number): Promise<number> {
    return this.appendAll([item], receivedAtMs).then((seqs) => seqs[0] ?? 0);
  }

  /** Appends records of one request in order, sharing one write and fsync; resolves once fsynced. */
  appendAll(items: readonly T[], receivedAtMs: number): Promise<number[]> {
    if (this.#failed !== null || this.#closed) {
      return Promise.reject(new ChronosError('UNAVAILABLE', this.#closed
        ? 'the ingest journal is closed (the node is shutting down)'
        : `the ingest journal failed and takes no more writes: ${this.#failed?.message ?? ''}`));
    }
    const appended = items.map((item) => new Promise<number>((resolve, reject) => {
      this.#queue.push({ item, receivedAtMs, resolve, reject });
    }));
    void this.#flush();
    return Promise.all(appended);
  }

  /** Calls `listener` after each durable append (the drainer's wake-up). */
  onAppend(listener: () => void): void {
    this.#onAppend = listener;
  }

  /**
   * Unapplied records in order from the first with seq >= `fromSeq`, up to about `weightMax`
   * readings or points (at least one record when there is any).
   */
  pending(weightMax: number, fromSeq = 0): JournalRecord<T>[] {
    const out: JournalRecord<T>[] = [];
    let weight = 0;
    for (let i = firstAtOrAfter(this.#pending, fromSeq); i < this.#pending.length; i += 1) {
      const record = this.#pending[i] as JournalRecord<T>;
      if (out.length > 0 && weight + record.weight > weightMax) break;
      out.push(record);
      weight += record.weight;
    }
    return out;
  }

  /** Forgets records up to `seq` (applied) and deletes segments holding nothing else. */
  async discardThrough(seq: number): Promise<void> {
    this.#pending = this.#pending.filter((record) => record.seq > seq);
    this.#pendingItems = totalWeight(this.#pending);
    while (this.#segments.length > 1 && (this.#segments[0]?.lastSeq ?? Infinity) <= seq) {
      const segment = this.#segments.shift();
      if (segment !== undefined) await rm(segment.path, { force: true });
    }
  }

  stats(): JournalStats {
    return {
      pendingRecords: this.#pending.length,
      pendingItems: this.#pendingItems,
      diskBytes: this.#segments.reduce((n, segment) => n + segment.bytes, 0),
      oldestPendingReceivedAtMs: this.#pending[0]?.receivedAtMs ?? null,
    };
  }

  /** Waits for queued appends, then closes the file. Later appends are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#flushing) await new Promise((resolve) => setTimeout(resolve, 5));
    await this.#handle?.close();
    this.#handle = null;
  }

  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      // Bounded: each round takes what is queued; callers add what they await.
      for (let round = 0; this.#queue.length > 0 && round < 1_000_000; round += 1) {
        const group = this.#queue;
        this.#queue = [];
        await this.#writeGroup(group);
      }
    } finally {
      this.#flushing = false;
    }
  }

  async #writeGroup(group: readonly QueuedAppend<T>[]): Promise<void> {
    if (this.#failed !== null) {
      for (const append of group) append.reject(this.#failed);
      return;
    }
    const firstSeq = this.#nextSeq;
    const frames = group.map((append, i) =>
      encodeJournalRecord(firstSeq + i, append.receivedAtMs, this.#codec.encode(append.item)));
    try {
      const segment = await this.#activeSegment(firstSeq);
      const buffer = Buffer.concat(frames);
      if (this.#handle === null) throw new Error('journal file is not open');
      await writeFully(this.#handle, buffer, segment.bytes);
      await this.#handle?.datasync();
      segment.bytes += buffer.length;
      segment.lastSeq = firstSeq + group.length - 1;
    } catch (error) {
      this.#failed = new ChronosError('IO_ERROR', `ingest journal in ${this.#dir}: ${errorMessage(error)}`);
      this.#log.error('ingest journal write failed; ingest stops taking readings', { error: errorMessage(error) });
      for (const append of group) append.reject(this.#failed);
      return;
    }
    this.#nextSeq = firstSeq + group.length;
    group.forEach((append, i) => {
      const weight = this.#codec.weight(append.item);
      this.#pendingItems += weight;
      this.#pending.push({ seq: firstSeq + i, receivedAtMs: append.receivedAtMs, item: append.item, weight,
        bytes: frames[i]?.length ?? 0 });
      append.resolve(firstSeq + i);
    });
    this.#onAppend?.();
  }

  /** The segment to append to, starting a new one (durably named) past the size limit. */
  async #activeSegment(firstSeq: number): Promise<Segment> {
    const last = this.#segments.at(-1);
    if (last !== undefined && last.bytes < SEGMENT_BYTES_MAX) {
      this.#handle ??= await open(last.path, 'r+');
      return last;
    }
    await this.#handle?.close();
    const path = join(this.#dir, `${String(firstSeq).padStart(20, '0')}${SEGMENT_SUFFIX}`);
    this.#handle = await open(path, 'w+');
    const dir = await open(this.#dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    const segment: Segment = { path, firstSeq, lastSeq: firstSeq - 1, bytes: 0 };
    this.#segments.push(segment);
    return segment;
  }
}

function totalWeight<T>(records: readonly JournalRecord<T>[]): number {
  return records.reduce((n, record) => n + record.weight, 0);
}

/** Index of the first record with seq >= `seq` (records are in seq order). */
function firstAtOrAfter<T>(records: readonly JournalRecord<T>[], seq: number): number {
  let low = 0;
  let high = records.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((records[mid]?.seq ?? Infinity) < seq) low = mid + 1;
    else high = mid;
  }
  return low;
}

