import type { Entry } from '../../src/raft/types.js';
import type { WalLogger } from '../../src/wal/recover.js';

/** An entry whose data encodes its index and term, so mix-ups show. */
export function entry(index: number, term = 1, size = 8): Entry {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (index * 31 + term * 7 + i) & 0xff;
  return { index, term, type: 'command', data };
}

/** Entries first..last inclusive in one term. */
export function entries(first: number, last: number, term = 1, size = 8): Entry[] {
  const result: Entry[] = [];
  for (let index = first; index <= last; index++) result.push(entry(index, term, size));
  return result;
}

/** A logger that remembers what it was told. */
export function recordingLogger(): WalLogger & { messages: Array<Record<string, unknown>> } {
  const messages: Array<Record<string, unknown>> = [];
  return {
    messages,
    warn: (message, details) => {
      messages.push({ message, ...details });
    },
  };
}

/** Plain objects for deep equality (Uint8Array → number[]). */
export function plain(
  list: readonly Entry[],
): Array<{ index: number; term: number; data: number[] }> {
  return list.map((e) => ({ index: e.index, term: e.term, data: [...e.data] }));
}

export const DIR = '/wal';
