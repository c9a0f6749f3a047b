import { ChronosError } from '../lib/index.js';

/** The benchmark groups `npm run bench` can run. */
export type BenchSuite = 'single' | 'cluster' | 'iot-size' | 'floats' | 'iot' | 'ingest' | 'sync';

/** What the command line asked for. */
export interface BenchArgs {
  readonly suites: readonly BenchSuite[];
  /** Run the cluster workload against etcd 3.4 too and print ratios. */
  readonly vsEtcd: boolean;
  /** Run the ingest workload or the iot queries against InfluxDB 1.x too and print ratios. */
  readonly vsInflux: boolean;
  /** Share of iot-1m's time steps `iot-size` loads (1 = all 500k readings). */
  readonly iotFraction: number;
}

const USAGE =
  'usage: npm run bench -- [single | cluster [--vs-etcd] | iot-size [--fraction=0.1] | floats | iot [--vs-influx] | ingest [--vs-influx] | sync]';
const SUITES: readonly BenchSuite[] = ['single', 'cluster', 'iot-size', 'floats', 'iot', 'ingest', 'sync'];

function parseFraction(arg: string): number {
  const value = Number(arg.slice('--fraction='.length));
  if (!(value > 0 && value <= 1)) {
    throw new ChronosError('INVALID_ARGUMENT', `--fraction must be in (0, 1], got '${arg}'; ${USAGE}`);
  }
  return value;
}

/** Parses `npm run bench -- [single|cluster|iot-size|floats|iot|ingest|sync] [--vs-etcd] [--vs-influx] [--fraction=f]`; no suite means single and cluster. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const suites: BenchSuite[] = [];
  let vsEtcd = false;
  let vsInflux = false;
  let iotFraction = 1;
  for (const arg of argv) {
    const suite = SUITES.find((name) => name === arg);
    if (suite !== undefined) {
      if (!suites.includes(suite)) suites.push(suite);
    } else if (arg === '--vs-etcd') {
      vsEtcd = true;
    } else if (arg === '--vs-influx') {
      vsInflux = true;
    } else if (arg.startsWith('--fraction=')) {
      iotFraction = parseFraction(arg);
    } else {
      throw new ChronosError('INVALID_ARGUMENT', `unknown bench argument '${arg}'; ${USAGE}`);
    }
  }
  const chosen: readonly BenchSuite[] = suites.length === 0 ? ['single', 'cluster'] : suites;
  if (vsEtcd && !chosen.includes('cluster')) {
    throw new ChronosError('INVALID_ARGUMENT', `--vs-etcd needs the cluster suite; ${USAGE}`);
  }
  if (vsInflux && !chosen.includes('ingest') && !chosen.includes('iot')) {
    throw new ChronosError('INVALID_ARGUMENT', `--vs-influx needs the ingest or iot suite; ${USAGE}`);
  }
  return { suites: chosen, vsEtcd, vsInflux, iotFraction };
}
