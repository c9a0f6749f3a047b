import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../src/bench/args.js';

describe('parseBenchArgs', () => {
  it('runs both suites without arguments', () => {
    expect(parseBenchArgs([])).toEqual({ suites: ['single', 'cluster'], vsEtcd: false });
  });

  it('runs the named suite, once even if repeated', () => {
    expect(parseBenchArgs(['single', 'single'])).toEqual({ suites: ['single'], vsEtcd: false });
  });

  it('accepts --vs-etcd with cluster', () => {
    expect(parseBenchArgs(['cluster', '--vs-etcd'])).toEqual({ suites: ['cluster'], vsEtcd: true });
  });

  it('refuses --vs-etcd without the cluster suite', () => {
    expect(() => parseBenchArgs(['single', '--vs-etcd'])).toThrow(/needs the cluster suite/);
  });

  it('names an unknown argument', () => {
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown bench argument '--fast'/);
  });
});
