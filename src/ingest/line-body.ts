import { ChronosError, isChronosError, yieldToEventLoop } from '../lib/index.js';
import { parseLine } from './line-protocol.js';
import { LineSplitter } from './line-splitter.js';
import type { LineContext } from './line-protocol.js';
import type { Point } from './point.js';

/** A line left out of a write, and why (the message names the line). */
export interface LineRejection {
  readonly line: number;
  readonly message: string;
}

/** A request body's points, each with the line it came from, and the lines that could not be read. */
export interface ParsedBody {
  readonly points: Point[];
  readonly lineNumbers: number[];
  readonly rejected: LineRejection[];
}

/** Parse time after which the event loop gets a turn (Raft heartbeats must not wait on a body). */
const SLICE_MS = 8;
const LINES_PER_CLOCK_CHECK = 256;

/**
 * Every point of a line-protocol body, in order, and every line that is not one (blank lines and
 * comments aside). As InfluxDB does, a bad line costs only itself: the caller stores the rest
 * and answers a partial write. A 25 MiB body is read in slices with turns of the event loop
 * between them.
 */
export async function parseLineBody(body: string, context: LineContext): Promise<ParsedBody> {
  const lines = new LineSplitter(body);
  const points: Point[] = [];
  const lineNumbers: number[] = [];
  const rejected: LineRejection[] = [];
  let sliceStart = performance.now();
  for (let i = 0, line = lines.next(); line !== null; i += 1, line = lines.next()) {
    try {
      const point = parseLine(line.text, line.lineNumber, context);
      if (point !== null) {
        points.push(point);
        lineNumbers.push(line.lineNumber);
      }
    } catch (error) {
      if (!isChronosError(error) || error.code !== 'INVALID_ARGUMENT') throw error;
      rejected.push({ line: line.lineNumber, message: error.message });
    }
    if (i % LINES_PER_CLOCK_CHECK === 0 && performance.now() - sliceStart > SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
  if (points.length === 0 && rejected.length === 0) {
    throw new ChronosError('INVALID_ARGUMENT', 'the body holds no points (only blank lines or comments)');
  }
  return { points, lineNumbers, rejected };
}

/** Rejections shown in full in an answer; the rest are counted. */
const REJECTIONS_SHOWN = 3;

/**
 * The 400 of a write whose lines in `rejected` were left out, `stored` points kept. The words
 * are InfluxDB's ("unable to parse", "partial write", "dropped=N"): Telegraf and the client
 * libraries read them to drop such a batch instead of sending it again.
 */
export function rejectedLinesError(rejected: readonly LineRejection[], stored: number): ChronosError {
  const shown = rejected.slice(0, REJECTIONS_SHOWN).map((r) => r.message).join('; ');
  const more = rejected.length > REJECTIONS_SHOWN ? `; and ${rejected.length - REJECTIONS_SHOWN} more lines` : '';
  const head = stored > 0 ? 'partial write: ' : 'unable to parse ';
  const kept = stored > 0 ? `${stored} point${stored === 1 ? '' : 's'} stored` : 'nothing stored';
  return new ChronosError('INVALID_ARGUMENT', `${head}${shown}${more} (${kept}) dropped=${rejected.length}`,
    { details: { line: rejected[0]?.line ?? 0, stored, dropped: rejected.length } });
}

/** Points cut into journal records of at most `size` (one drained batch each at most). */
export function chunkPoints(points: readonly Point[], size: number): Point[][] {
  const chunks: Point[][] = [];
  for (let i = 0; i < points.length; i += size) chunks.push(points.slice(i, i + size));
  return chunks;
}
