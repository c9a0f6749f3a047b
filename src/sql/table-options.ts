import { ChronosError } from '../lib/index.js';
import type { TableLayoutName } from '../storage/index.js';
import type { Cursor } from './cursor.js';
import { lexerParseError } from './lexer.js';

const TTL_UNITS_MS: Readonly<Record<string, number>> = {
  s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000,
};
const LAYOUTS: readonly TableLayoutName[] = ['row', 'columnar'];

/** What `CREATE TABLE ... WITH ...` sets; null where the statement left it to the engine. */
export interface TableOptions {
  readonly ttlMs: number | null;
  readonly layout: TableLayoutName | null;
}

/**
 * `WITH TTL=7d`, `WITH layout = 'columnar'`, or several in parentheses:
 * `WITH (TTL = 7d, layout = columnar)`. Each option at most once; `=` may be left out.
 */
export function tableOptions(c: Cursor): TableOptions {
  let ttlMs: number | null = null;
  let layout: TableLayoutName | null = null;
  if (!c.acceptWord('WITH')) return { ttlMs, layout };
  const paren = c.acceptSymbol('(');
  do {
    const name = c.peek();
    const option = name?.kind === 'word' ? name.value : '';
    if (option === 'TTL' && ttlMs === null) {
      c.next();
      c.acceptSymbol('=');
      ttlMs = ttl(c);
    } else if (option === 'LAYOUT' && layout === null) {
      c.next();
      c.acceptSymbol('=');
      layout = layoutName(c);
    } else if (option === 'TTL' || option === 'LAYOUT') {
      throw c.fail(`${option} given twice`);
    } else {
      throw c.fail('expected a table option (TTL or layout)');
    }
  } while (paren && c.acceptSymbol(','));
  if (paren) c.expectSymbol(')');
  return { ttlMs, layout };
}

function ttl(c: Cursor): number {
  const t = c.next();
  const match = t.kind === 'duration' ? /^(\d+)([smhd])$/i.exec(t.value) : null;
  if (match === null) {
    throw lexerParseError(c.sql, t.start, `bad TTL '${t.value}' (expected a number and s, m, h or d, e.g. 7d)`);
  }
  const amount = Number(match[1]);
  if (!(amount > 0)) throw lexerParseError(c.sql, t.start, 'TTL must be positive');
  const ms = amount * (TTL_UNITS_MS[(match[2] as string).toLowerCase()] as number);
  // Past 2^53 ms (285,000 years) the milliseconds are no longer exact.
  if (!Number.isSafeInteger(ms)) throw lexerParseError(c.sql, t.start, `TTL '${t.value}' is too long (at most ${Math.floor(Number.MAX_SAFE_INTEGER / 86_400_000)}d)`);
  return ms;
}

function layoutName(c: Cursor): TableLayoutName {
  const t = c.peek();
  const value = t === undefined || (t.kind !== 'word' && t.kind !== 'string') ? '' : t.value.toLowerCase();
  const layout = LAYOUTS.find((l) => l === value);
  if (layout === undefined) {
    throw new ChronosError('INVALID_ARGUMENT',
      `Unknown table layout ${t === undefined ? '(none)' : `'${t.value}'`}: expected 'row' or 'columnar'`);
  }
  c.next();
  return layout;
}
