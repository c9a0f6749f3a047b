import { describe, expect, it } from 'vitest';
import { logLevelFromRustLog, LOG_LEVELS } from '../../src/lib/logger.js';
import { Random } from '../../src/lib/random.js';

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

  it('400 drawn RUST_LOG values: a chronos directive wins over a bare level wherever either stands', () => {
    const rng = new Random(4_242);
    for (let n = 0; n < 400; n += 1) {
      const named: string[] = [];
      const bare: string[] = [];
      const parts = Array.from({ length: rng.between(1, 5) }, () => {
        const level = rng.pick([...LOG_LEVELS, 'off', 'loud']);
        const known = (LOG_LEVELS as readonly string[]).includes(level);
        switch (rng.int(4)) {
          case 0:
            if (known) bare.push(level);
            return level;
          case 1:
            if (known) named.push(level);
            return `chronos=${level}`;
          case 2:
            if (known) named.push(level);
            return `chronos::raft=${level}`;
          default:
            return `hyper=${level}`;
        }
      });
      const mostVerbose = [...LOG_LEVELS].find((level) => named.includes(level)) ?? null;
      expect(logLevelFromRustLog(parts.join(',')), parts.join(',')).toBe(mostVerbose ?? bare.at(-1) ?? null);
    }
  });
});
