/** One node's `GET /debug/write-hops`: its id and its recent entries' hop times (ms of the host's monotonic clock). */
export interface NodeHops {
  readonly id: string;
  readonly entries: ReadonlyArray<{ readonly index: number; readonly at: Readonly<Record<string, number>> }>;
}

/** Mean milliseconds of each segment of a write's way through the cluster (means add up), and how many writes. */
export type HopBreakdown = Readonly<Record<string, number>>;

type Times = Readonly<Record<string, number>>;

/**
 * The segments, in a write's order: each is `to - from` of one entry, on the leader (L) or the
 * follower whose answer completed the majority (F). Clocks of processes on one host agree, so
 * hops across nodes subtract; on separate hosts they would not.
 */
const SEGMENTS: ReadonlyArray<readonly [string, (l: Times, f: Times, peer: string) => number | undefined]> = [
  ['queued', (l) => diff(l['received'], l['proposed'])],
  ['until leader fsync', (l) => diff(l['proposed'], l['walStart'])],
  ['leader fsync', (l) => diff(l['walStart'], l['walEnd'])],
  ['until sent', (l, _f, peer) => diff(l['proposed'], l[`sent:${peer}`])],
  ['to follower', (l, f, peer) => diff(l[`sent:${peer}`], f['appendReceived'])],
  ['follower waits', (_l, f) => diff(f['appendReceived'], f['walStart'])],
  ['follower fsync', (_l, f) => diff(f['walStart'], f['walEnd'])],
  ['follower answers', (_l, f) => diff(f['walEnd'], f['ackSent'])],
  ['to leader', (l, f, peer) => diff(f['ackSent'], l[`acked:${peer}`])],
  ['commit after both', (l, _f, peer) => diff(later(l['walEnd'], l[`acked:${peer}`]), l['committed'])],
  ['apply waits', (l) => diff(l['committed'], l['applyStart'])],
  ['execute', (l) => diff(l['applyStart'], l['answered'])],
  ['in node', (l) => diff(l['received'], l['answered'])],
  ['storage write after answer', (l) => diff(l['answered'], l['applied'])],
];

function diff(from: number | undefined, to: number | undefined): number | undefined {
  return from === undefined || to === undefined ? undefined : to - from;
}

function later(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : Math.max(a, b);
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * Joins the leader's and followers' hop times of the writes the leader received at or after
 * `sinceMs` into the mean of each segment. Writes some follower never acknowledged (or that a
 * node no longer remembers) are left out; `writes` says how many counted.
 */
export function joinWriteHops(leader: NodeHops, followers: readonly NodeHops[], sinceMs: number): HopBreakdown {
  const byFollower = followers.map((f) => ({ id: f.id, at: new Map(f.entries.map((e) => [e.index, e.at])) }));
  const samples = new Map<string, number[]>(SEGMENTS.map(([name]) => [name, []]));
  let writes = 0;
  for (const { index, at } of leader.entries) {
    const received = at['received'];
    if (received === undefined || received < sinceMs || at['answered'] === undefined) continue;
    // The first follower to answer made the majority with the leader (3 voters).
    const quorum = byFollower
      .map((f) => ({ id: f.id, times: f.at.get(index), acked: at[`acked:${f.id}`] }))
      .filter((f): f is { id: string; times: Times; acked: number } => f.times !== undefined && f.acked !== undefined)
      .sort((a, b) => a.acked - b.acked)[0];
    if (quorum === undefined) continue;
    writes += 1;
    for (const [name, segment] of SEGMENTS) {
      const ms = segment(at, quorum.times, quorum.id);
      if (ms !== undefined) samples.get(name)?.push(ms);
    }
  }
  const breakdown: Record<string, number> = { writes };
  for (const [name, values] of samples) if (values.length > 0) breakdown[name] = mean(values);
  return breakdown;
}

/** One line: `queued 0.04 · leader fsync 0.78 · …` in a write's order. */
export function renderHopBreakdown(label: string, breakdown: HopBreakdown): string {
  const parts = SEGMENTS.filter(([name]) => breakdown[name] !== undefined)
    .map(([name]) => `${name} ${(breakdown[name] ?? 0).toFixed(2)}`);
  return `${label}: ${parts.join(' · ')} ms (means of ${breakdown['writes'] ?? 0} writes)`;
}
