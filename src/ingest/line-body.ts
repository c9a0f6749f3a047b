import { ChronosError, yieldToEventLoop } from '../lib/index.js';
import { parseLine } from './line-protocol.js';
import type { LineContext } from './line-protocol.js';
import type { Point } from './point.js';

/** A request body's points, each with the line it came from. */
export interface ParsedBody {
  readonly points: Point[];
  readonly lineNumbers: number[];
}

/** Parse time after which the event loop gets a turn (Raft heartbeats must not wait on a body). */
const SLICE_MS = 8;
const LINES_PER_CLOCK_CHECK = 256;

/**
 * Every point of a line-protocol body, in order. One bad line refuses the whole body
 * (INVALID_ARGUMENT naming it), so a request is stored whole or not at all. A 25 MiB body is
 * read in slices with turns of the event loop between them.
 */
export async function parseLineBody(body: string, context: LineContext): Promise<ParsedBody> {
  const lines = body.split('\n');
  const points: Point[] = [];
  const lineNumbers: number[] = [];
  let sliceStart = performance.now();
  for (let i = 0; i < lines.length; i += 1) {
    const point = parseLine(lines[i] ?? '', i + 1, context);
    if (point !== null) {
      points.push(point);
      lineNumbers.push(i + 1);
    }
    if (i % LINES_PER_CLOCK_CHECK === 0 && performance.now() - sliceStart > SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
  if (points.length === 0) throw new ChronosError('INVALID_ARGUMENT', 'the body holds no points (only blank lines or comments)');
  return { points, lineNumbers };
}

/** Points cut into journal records of at most `size` (one drained batch each at most). */
export function chunkPoints(points: readonly Point[], size: number): Point[][] {
  const chunks: Point[][] = [];
  for (let i = 0; i < points.length; i += size) chunks.push(points.slice(i, i + size));
  return chunks;
}
