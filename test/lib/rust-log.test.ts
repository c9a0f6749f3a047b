import { describe, expect, it } from 'vitest';
import { logLevelFromRustLog } from '../../src/lib/logger.js';

/** RUST_LOG as Rust programs read it: the most specific directive for our target wins. */
describe('logLevelFromRustLog', () => {
  const cases: [string | undefined, string | null][] = [
    [undefined, null],
    ['chronos=info', 'info'],
    ['info', 'info'],
    ['info,chronos=debug', 'debug'],
    ['chronos=debug,info', 'debug'],
    ['trace,chronos=warn', 'warn'],
    ['warn,hyper=trace', 'warn'],
    ['chronos::raft=trace,chronos=info', 'trace'],
    ['tokio=debug', null],
    ['chronosdb=debug', null],
    ['chronos=loud', null],
    [' chronos = Debug ', 'debug'],
    ['constructor', null],
    ['chronos=constructor,error', 'error'],
  ];
  for (const [rustLog, level] of cases) {
    it(`RUST_LOG=${String(rustLog)} gives ${String(level)}`, () => {
      expect(logLevelFromRustLog(rustLog)).toBe(level);
    });
  }
});
