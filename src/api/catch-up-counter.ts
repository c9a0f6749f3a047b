import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';

/**
 * A counter of something counted elsewhere (WAL syncs, compacted blocks, CPU seconds): it
 * catches up with `total()` at scrape time, whichever registry scrapes it.
 */
export function catchUpCounter(registers: Registry[], name: string, help: string, total: () => number): Counter {
  let reported = 0;
  return new Counter({
    name,
    help,
    registers,
    collect() {
      const now = total();
      if (now > reported) this.inc(now - reported);
      reported = now;
    },
  });
}
