import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../src/bench/args.js';

describe('parseBenchArgs', () => {
  it('runs both suites without arguments', () => {
    expect(parseBenchArgs([])).toEqual({ suites: ['single', 'cluster'], vsEtcd: false, vsInflux: false, iotFraction: 1 });
  });

  it('runs the named suite, once even if repeated', () => {
    expect(parseBenchArgs(['single', 'single'])).toEqual({ suites: ['single'], vsEtcd: false, vsInflux: false, iotFraction: 1 });
  });

  it('accepts --vs-etcd with cluster', () => {
    expect(parseBenchArgs(['cluster', '--vs-etcd'])).toEqual({ suites: ['cluster'], vsEtcd: true, vsInflux: false, iotFraction: 1 });
  });

  it('refuses --vs-etcd without the cluster suite', () => {
    expect(() => parseBenchArgs(['single', '--vs-etcd'])).toThrow(/needs the cluster suite/);
  });

  it('runs iot-size on a fraction of iot-1m and refuses a fraction outside (0, 1]', () => {
    expect(parseBenchArgs(['iot-size', '--fraction=0.1'])).toEqual({
      suites: ['iot-size'],
      vsEtcd: false,
      vsInflux: false,
      iotFraction: 0.1,
    });
    expect(() => parseBenchArgs(['iot-size', '--fraction=0'])).toThrow(/--fraction must be in/);
  });

  it('accepts --vs-influx with ingest only', () => {
    expect(parseBenchArgs(['ingest', '--vs-influx'])).toEqual({ suites: ['ingest'], vsEtcd: false, vsInflux: true, iotFraction: 1 });
    expect(() => parseBenchArgs(['single', '--vs-influx'])).toThrow(/needs the ingest or iot suite/);
    expect(parseBenchArgs(['iot', '--vs-influx'])).toMatchObject({ suites: ['iot'], vsInflux: true });
  });

  it('runs the floats suite', () => {
    expect(parseBenchArgs(['floats'])).toEqual({ suites: ['floats'], vsEtcd: false, vsInflux: false, iotFraction: 1 });
  });

  it('runs the sync suite', () => {
    expect(parseBenchArgs(['sync'])).toEqual({ suites: ['sync'], vsEtcd: false, vsInflux: false, iotFraction: 1 });
  });

  it('names an unknown argument', () => {
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown bench argument '--fast'/);
  });
});
