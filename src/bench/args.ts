import { ChronosError } from '../lib/errors.js';

/** The benchmark groups `npm run bench` can run. */
export type BenchSuite = 'single' | 'cluster';

/** What the command line asked for. */
export interface BenchArgs {
  readonly suites: readonly BenchSuite[];
  /** Run the cluster workload against etcd 3.4 too and print ratios. */
  readonly vsEtcd: boolean;
}

const USAGE = 'usage: npm run bench -- [single | cluster [--vs-etcd]]';

/** Parses `npm run bench -- [single|cluster] [--vs-etcd]`; no suite means both. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const suites: BenchSuite[] = [];
  let vsEtcd = false;
  for (const arg of argv) {
    if (arg === 'single' || arg === 'cluster') {
      if (!suites.includes(arg)) suites.push(arg);
    } else if (arg === '--vs-etcd') {
      vsEtcd = true;
    } else {
      throw new ChronosError('INVALID_ARGUMENT', `unknown bench argument '${arg}'; ${USAGE}`);
    }
  }
  const chosen: readonly BenchSuite[] = suites.length === 0 ? ['single', 'cluster'] : suites;
  if (vsEtcd && !chosen.includes('cluster')) {
    throw new ChronosError('INVALID_ARGUMENT', `--vs-etcd needs the cluster suite; ${USAGE}`);
  }
  return { suites: chosen, vsEtcd };
}
