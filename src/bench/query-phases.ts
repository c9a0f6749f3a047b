/** Milliseconds of each timed run of each query, by query name. */
export type QueryTimes = ReadonlyMap<string, readonly number[]>;

/**
 * A query's times in two phases: `first`, right after the load (QUERY_WARMUPS untimed runs),
 * and `warm`, once every query has been repeated for WARM_MS. A Node process runs a code path
 * at a fraction of its speed until V8 has optimized it, which takes hundreds of runs, not two;
 * a server that has been up for a minute answers at the warm speed.
 */
export interface QueryPhases {
  readonly first: QueryTimes;
  readonly warm: QueryTimes;
}

export const QUERY_WARMUPS = 2;
export const QUERY_RUNS = 20;
/** Repeats of each query, untimed, before its warm runs: this long, or WARM_RUNS_MAX runs. */
export const WARM_MS = 3_000;
const WARM_RUNS_MAX = 2_000;

/** One query to time: its text for the engine at hand, and the row counts a right answer has. */
export interface TimedQuery {
  readonly name: string;
  readonly text: string;
  readonly rows: (count: number) => boolean;
}

/** Runs `text` and answers how many rows came back. */
export type RowsRunner = (text: string) => Promise<number>;

async function timedRuns(run: RowsRunner, query: TimedQuery, untimed: number, where: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < untimed + QUERY_RUNS; i++) {
    const began = performance.now();
    const rows = await run(query.text);
    const elapsed = performance.now() - began;
    if (!query.rows(rows)) throw new Error(`${query.name} answered ${rows} rows (${where})`);
    if (i >= untimed) samples.push(elapsed);
  }
  return samples;
}

/** Times each query first after QUERY_WARMUPS runs, then warm; every answer's row count is checked. */
export async function timeQueryPhases(run: RowsRunner, queries: readonly TimedQuery[], where: string,
  log: (line: string) => void): Promise<QueryPhases> {
  const first = new Map<string, number[]>();
  for (const query of queries) {
    log(`iot: ${query.name} (${where})`);
    first.set(query.name, await timedRuns(run, query, QUERY_WARMUPS, where));
  }
  log(`iot: each query repeated for ${WARM_MS / 1000} s, then timed warm (${where})`);
  const warm = new Map<string, number[]>();
  for (const query of queries) {
    const began = performance.now();
    for (let i = 0; i < WARM_RUNS_MAX && performance.now() - began < WARM_MS; i++) await run(query.text);
    warm.set(query.name, await timedRuns(run, query, 0, where));
  }
  return { first, warm };
}
