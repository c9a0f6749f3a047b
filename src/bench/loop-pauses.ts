/** A node's GC pauses by kind and its event-loop delay samples, as its /metrics reports them. */
export interface LoopPauses {
  readonly gc: ReadonlyMap<string, { readonly seconds: number; readonly count: number }>;
  /** Delay samples at or under each bucket bound (seconds), and all of them. */
  readonly delayAtMost: ReadonlyMap<number, number>;
  readonly delaySamples: number;
}

/** What happened between two scrapes of one node. */
export interface PausesBetween {
  /** Per GC kind: how many pauses and their total ms. */
  readonly gc: Readonly<Record<string, { readonly count: number; readonly ms: number }>>;
  /** Loop-delay samples later than 25 ms and than 100 ms (a heartbeat is due every 50 ms). */
  readonly lateOver25Ms: number;
  readonly lateOver100Ms: number;
}

/** Parses `chronos_gc_pause_seconds` and `chronos_event_loop_delay_seconds` from exposition text. */
export function parseLoopPauses(text: string): LoopPauses {
  const gc = new Map<string, { seconds: number; count: number }>();
  for (const match of text.matchAll(/^chronos_gc_pause_seconds_(sum|count)\{kind="([a-z]+)"\} (\S+)$/gm)) {
    const kind = match[2] ?? '';
    const entry = gc.get(kind) ?? { seconds: 0, count: 0 };
    if (match[1] === 'sum') entry.seconds = Number(match[3]);
    else entry.count = Number(match[3]);
    gc.set(kind, entry);
  }
  const delayAtMost = new Map<number, number>();
  for (const match of text.matchAll(/^chronos_event_loop_delay_seconds_bucket\{le="([0-9.]+)"\} (\S+)$/gm)) {
    delayAtMost.set(Number(match[1]), Number(match[2]));
  }
  const samples = /^chronos_event_loop_delay_seconds_count (\S+)$/m.exec(text);
  return { gc, delayAtMost, delaySamples: samples === null ? 0 : Number(samples[1]) };
}

/** GC pauses and late loop samples between `before` and `after` (scrapes of one node). */
export function pausesBetween(before: LoopPauses, after: LoopPauses): PausesBetween {
  const gc: Record<string, { count: number; ms: number }> = {};
  for (const [kind, end] of after.gc) {
    const start = before.gc.get(kind) ?? { seconds: 0, count: 0 };
    const count = end.count - start.count;
    if (count > 0) gc[kind] = { count, ms: (end.seconds - start.seconds) * 1000 };
  }
  const lateOver = (seconds: number): number => {
    const within = (pauses: LoopPauses): number => pauses.delaySamples - (pauses.delayAtMost.get(seconds) ?? pauses.delaySamples);
    return within(after) - within(before);
  };
  return { gc, lateOver25Ms: lateOver(0.025), lateOver100Ms: lateOver(0.1) };
}

/** One line: `minor 112 (210 ms) · major 2 (84 ms) · loop late > 25 ms: 4, > 100 ms: 0`. */
export function renderPauses(label: string, pauses: PausesBetween): string {
  const kinds = Object.entries(pauses.gc).map(([kind, { count, ms }]) => `${kind} ${count} (${ms.toFixed(0)} ms)`);
  const gc = kinds.length === 0 ? 'no GC' : kinds.join(' · ');
  return `${label}: GC ${gc} · loop late > 25 ms: ${pauses.lateOver25Ms}, > 100 ms: ${pauses.lateOver100Ms}`;
}
