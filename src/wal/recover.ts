import { assertNever, ChronosError } from '../lib/index.js';
import type { Entry } from '../raft/index.js';
import { diskPath } from './disk.js';
import type { Disk } from './disk.js';
import { LogModel } from './log-model.js';
import { parseSegmentName, scanSegment } from './segment.js';
import type { ScannedRecord, SegmentName } from './segment.js';

/** Where the WAL reports what it repaired on open (a torn tail, a stray file). */
export interface WalLogger {
  warn(message: string, details: Readonly<Record<string, string | number>>): void;
}

/** Everything replay found: the model of the log, its entries and the segment files kept. */
export interface Recovery {
  readonly model: LogModel;
  readonly entries: Entry[];
  /** Segment files in order; the last is the one to append to (none if the dir was empty). */
  readonly segments: SegmentName[];
  /** Size in bytes of the last segment after any torn tail was cut. */
  readonly lastSegmentBytes: number;
  /** The seq the next new segment must take. */
  readonly nextSeq: number;
}

/** A CORRUPTION error naming the file and the byte offset. */
export function corruption(path: string, offset: number, reason: string): ChronosError {
  return new ChronosError(
    'CORRUPTION',
    `WAL segment ${path} is corrupt at byte offset ${offset}: ${reason}`,
    { details: { file: path, offset, reason } },
  );
}

/** Reads every segment in `dir`, cuts a torn tail off the last one, and rebuilds the log. */
export async function recoverWal(disk: Disk, dir: string, logger: WalLogger): Promise<Recovery> {
  const segments: SegmentName[] = [];
  for (const name of await disk.list(dir)) {
    const parsed = parseSegmentName(name);
    if (parsed === null) logger.warn('ignoring a file that is not a WAL segment', { dir, name });
    else segments.push(parsed);
  }
  segments.sort((a, b) => a.seq - b.seq);
  for (let i = 1; i < segments.length; i++) {
    const previous = segments[i - 1];
    const current = segments[i];
    if (previous !== undefined && current !== undefined && current.seq !== previous.seq + 1) {
      // Compaction deletes from the front only, one synced unlink at a time.
      throw corruption(diskPath(dir, current.name), 0, `segment ${previous.seq + 1} is missing`);
    }
  }
  const model = new LogModel(true);
  let lastSegmentBytes = 0;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment === undefined) continue;
    const path = diskPath(dir, segment.name);
    const isLast = i === segments.length - 1;
    const records = await readSegment(disk, path, isLast, logger);
    if (records === null) {
      // A last segment whose header never became durable holds nothing; start it again.
      await disk.unlink(path);
      await disk.syncDir(dir);
      segments.pop();
      break;
    }
    replaySegment(model, path, segment, i === 0, records.records);
    lastSegmentBytes = records.goodLength;
  }
  const entries = model.finishReplay();
  const nextSeq = (segments[segments.length - 1]?.seq ?? 0) + 1;
  const first = entries[0];
  const expectedFirst = (model.snapshot?.index ?? 0) + 1;
  if (first !== undefined && first.index !== expectedFirst) {
    const path = diskPath(dir, segments[0]?.name ?? '');
    throw corruption(path, 0, `log starts at ${first.index}, expected ${expectedFirst}`);
  }
  return { model, entries, segments, lastSegmentBytes, nextSeq };
}

async function readSegment(
  disk: Disk,
  path: string,
  isLast: boolean,
  logger: WalLogger,
): Promise<{ records: readonly ScannedRecord[]; goodLength: number } | null> {
  const bytes = await disk.read(path);
  const scan = scanSegment(bytes);
  if (scan.fault !== null) {
    const { offset, reason } = scan.fault;
    if (!isLast) throw corruption(path, offset, `${reason} in a segment that is not the last`);
    if (scan.fault.definitelyCorrupt) throw corruption(path, offset, `${reason}, valid data after`);
    await disk.truncate(path, scan.goodLength);
    logger.warn('truncated a torn tail of the WAL', {
      file: path,
      offset,
      reason,
      bytesDropped: bytes.length - scan.goodLength,
    });
  }
  if (scan.records.length === 0) {
    if (!isLast) throw corruption(path, 0, 'empty segment that is not the last');
    return null;
  }
  return { records: scan.records, goodLength: scan.goodLength };
}

function replaySegment(
  model: LogModel,
  path: string,
  segment: SegmentName,
  isFirst: boolean,
  records: readonly ScannedRecord[],
): void {
  for (const [position, { record, offset }] of records.entries()) {
    if ((position === 0) !== (record.kind === 'segment-start')) {
      throw corruption(path, offset, 'segment-start record must come first, and only first');
    }
    switch (record.kind) {
      case 'segment-start': {
        if (record.seq !== segment.seq || record.firstIndex !== segment.firstIndex) {
          throw corruption(path, offset, `header says ${record.seq}-${record.firstIndex}`);
        }
        const expected = model.lastIndex() + 1;
        if (!isFirst && record.firstIndex !== expected) {
          const reason = `segment starts at ${record.firstIndex}, log at ${expected}`;
          throw corruption(path, offset, reason);
        }
        break;
      }
      case 'entry': {
        const problem = model.appendProblem(record.entry);
        if (problem !== null) throw corruption(path, offset, problem);
        model.append(record.entry);
        break;
      }
      case 'hard-state':
        model.hardState = record.hardState;
        break;
      case 'snapshot': {
        const current = model.snapshot?.index ?? 0;
        if (record.snapshot.index < current) {
          throw corruption(path, offset, `snapshot ${record.snapshot.index} older than ${current}`);
        }
        model.applySnapshot(record.snapshot, record.keepSuffix);
        break;
      }
      default:
        assertNever(record, 'WAL record');
    }
  }
}
