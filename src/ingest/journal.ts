import { mkdir, open, readdir, readFile, rm, truncate } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ChronosError, errorMessage } from '../lib/index.js';
import type { Logger } from '../lib/index.js';
import { journalIncarnation } from './journal-id.js';
import { encodeJournalRecord, scanJournalSegment } from './journal-record.js';
import type { JournalRecord } from './journal-record.js';
import type { Reading } from './reading.js';

export type { JournalRecord } from './journal-record.js';

/** A segment file: `<first seq, 20 digits>.journal`. */
interface Segment {
  readonly path: string;
  readonly firstSeq: number;
  lastSeq: number;
  bytes: number;
}

interface QueuedAppend {
  readonly readings: readonly Reading[];
  readonly receivedAtMs: number;
  readonly resolve: (seq: number) => void;
  readonly reject: (error: Error) => void;
}

/** What the journal holds that is not yet applied. */
export interface JournalStats {
  readonly pendingRecords: number;
  readonly pendingReadings: number;
  /** Bytes of the segment files on disk (applied records linger until their segment goes). */
  readonly diskBytes: number;
  readonly oldestPendingReceivedAtMs: number | null;
}

const SEGMENT_SUFFIX = '.journal';
/** A new segment starts past this size, so applied records leave the disk soon. */
const SEGMENT_BYTES_MAX = 8 * 1024 * 1024;

/**
 * The ingest journal: accepted readings are appended and fsynced before `POST /ingest` answers
 * 202, and stay until the drainer has applied them through the log. Appends that arrive while
 * an fsync runs share the next one (group commit). A failed write or fsync stops the journal:
 * every later append is refused, since what reached the disk is then unknown.
 */
export class IngestJournal {
  readonly #dir: string;
  readonly #log: Logger;
  readonly #segments: Segment[];
  #pending: JournalRecord[];
  /** Readings in `#pending`, kept as it changes: the backlog check runs on every request. */
  #pendingReadings: number;
  #handle: FileHandle | null = null;
  #nextSeq: number;
  #queue: QueuedAppend[] = [];
  #flushing = false;
  #failed: Error | null = null;
  #closed = false;
  #onAppend: (() => void) | null = null;

  /** The journal's incarnation (journal-id.ts); null for a journal older than ids. */
  readonly id: string | null;

  private constructor(dir: string, log: Logger, segments: Segment[], records: JournalRecord[], id: string | null) {
    this.id = id;
    this.#dir = dir;
    this.#log = log;
    this.#segments = segments;
    this.#pending = records;
    this.#pendingReadings = countReadings(records);
    this.#nextSeq = (segments.at(-1)?.lastSeq ?? 0) + 1;
  }

  /** Opens (or creates) the journal in `dir`, cutting a torn tail left by a crash. */
  static async open(dir: string, log: Logger): Promise<IngestJournal> {
    await mkdir(dir, { recursive: true });
    const names = (await readdir(dir)).filter((name) => name.endsWith(SEGMENT_SUFFIX)).sort();
    const segments: Segment[] = [];
    const records: JournalRecord[] = [];
    for (const [i, name] of names.entries()) {
      const path = join(dir, name);
      const bytes = await readFile(path);
      const scan = scanJournalSegment(bytes);
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
      records.push(...scan.records);
    }
    return new IngestJournal(dir, log, segments, records, await journalIncarnation(dir, names.length > 0));
  }

  /** Appends one request's readings; resolves with its sequence number once fsynced. */
  append(readings: readonly Reading[], receivedAtMs: number): Promise<number> {
    if (this.#failed !== null || this.#closed) {
      return Promise.reject(new ChronosError('UNAVAILABLE', this.#closed
        ? 'the ingest journal is closed (the node is shutting down)'
        : `the ingest journal failed and takes no more readings: ${this.#failed?.message ?? ''}`));
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ readings, receivedAtMs, resolve, reject });
      void this.#flush();
    });
  }

  /** Calls `listener` after each durable append (the drainer's wake-up). */
  onAppend(listener: () => void): void {
    this.#onAppend = listener;
  }

  /** Unapplied records in order, up to about `readingsMax` readings (at least one record). */
  pending(readingsMax: number): JournalRecord[] {
    const out: JournalRecord[] = [];
    let readings = 0;
    for (const record of this.#pending) {
      if (out.length > 0 && readings + record.readings.length > readingsMax) break;
      out.push(record);
      readings += record.readings.length;
    }
    return out;
  }

  /** Forgets records up to `seq` (applied) and deletes segments holding nothing else. */
  async discardThrough(seq: number): Promise<void> {
    this.#pending = this.#pending.filter((record) => record.seq > seq);
    this.#pendingReadings = countReadings(this.#pending);
    while (this.#segments.length > 1 && (this.#segments[0]?.lastSeq ?? Infinity) <= seq) {
      const segment = this.#segments.shift();
      if (segment !== undefined) await rm(segment.path, { force: true });
    }
  }

  stats(): JournalStats {
    return {
      pendingRecords: this.#pending.length,
      pendingReadings: this.#pendingReadings,
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

  async #writeGroup(group: readonly QueuedAppend[]): Promise<void> {
    if (this.#failed !== null) {
      for (const append of group) append.reject(this.#failed);
      return;
    }
    const firstSeq = this.#nextSeq;
    const frames = group.map((append, i) => encodeJournalRecord(firstSeq + i, append.receivedAtMs, append.readings));
    try {
      const segment = await this.#activeSegment(firstSeq);
      const buffer = Buffer.concat(frames);
      await this.#handle?.write(buffer, 0, buffer.length, segment.bytes);
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
      this.#pendingReadings += append.readings.length;
      this.#pending.push({ seq: firstSeq + i, receivedAtMs: append.receivedAtMs, readings: append.readings,
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

function countReadings(records: readonly JournalRecord[]): number {
  return records.reduce((n, record) => n + record.readings.length, 0);
}
