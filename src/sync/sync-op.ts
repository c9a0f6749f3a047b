import { ChronosError } from '../lib/index.js';
import type { SqlValue } from '../storage/index.js';
import { checkHlc, type HlcStamp } from './hlc-stamp.js';

/**
 * One change an edge ships to its sync target. Ops carry row images, not SQL, so the target
 * applies them without the edge's state:
 * - `upsert`: the full row a write left behind in a table with a PRIMARY KEY (INSERT and
 *   UPDATE alike); the target keeps it if its stamp is newer than what it holds for that key.
 * - `delete`: a tombstone for a primary key; it wins over older upserts and loses to newer ones.
 * - `append`: a row inserted into a table without a primary key (append-only on the target).
 * - `ddl`: CREATE/DROP TABLE/INDEX as the edge executed it (SQL text, replayed on the target).
 * `columns` name the values by column so the target maps them by name, not position.
 */
export type SyncOp =
  | { readonly kind: 'upsert'; readonly hlc: HlcStamp; readonly table: string;
    readonly columns: readonly string[]; readonly row: readonly SqlValue[] }
  | { readonly kind: 'delete'; readonly hlc: HlcStamp; readonly table: string;
    readonly keyColumns: readonly string[]; readonly key: readonly SqlValue[] }
  | { readonly kind: 'append'; readonly hlc: HlcStamp; readonly table: string;
    readonly columns: readonly string[]; readonly row: readonly SqlValue[] }
  | { readonly kind: 'ddl'; readonly hlc: HlcStamp; readonly sql: string };

/** What `SyncOperation.data` holds on the wire: a versioned JSON document of one op. */
const FORMAT = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** JSON can't hold bigint or non-finite floats: they travel tagged. */
function encodeValue(value: SqlValue): unknown {
  if (typeof value === 'bigint') return { i: value.toString() };
  if (typeof value === 'number' && !Number.isFinite(value)) return { f: String(value) };
  return value;
}

function decodeValue(value: unknown, where: string): SqlValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return value;
  const tagged = value as { i?: unknown; f?: unknown };
  if (typeof tagged === 'object' && typeof tagged.i === 'string' && /^-?\d+$/.test(tagged.i)) {
    return BigInt(tagged.i);
  }
  if (typeof tagged === 'object' && (tagged.f === 'NaN' || tagged.f === 'Infinity' || tagged.f === '-Infinity')) {
    return Number(tagged.f);
  }
  throw new ChronosError('CORRUPTION', `Corrupt sync data: ${where} holds a value of unknown form`);
}

/** The bytes of one op, as `SyncOperation.data` carries them. */
export function encodeSyncOp(op: SyncOp): Uint8Array {
  const body: Record<string, unknown> = { v: FORMAT, kind: op.kind, hlc: op.hlc };
  if (op.kind === 'ddl') body.sql = op.sql;
  else if (op.kind === 'delete') {
    Object.assign(body, { table: op.table, keyColumns: op.keyColumns, key: op.key.map(encodeValue) });
  } else {
    Object.assign(body, { table: op.table, columns: op.columns, row: op.row.map(encodeValue) });
  }
  return encoder.encode(JSON.stringify(body));
}

function stringList(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new ChronosError('CORRUPTION', `Corrupt sync data: ${where} is not a list of names`);
  }
  return value as string[];
}

function valueList(value: unknown, length: number, where: string): SqlValue[] {
  if (!Array.isArray(value) || value.length !== length) {
    throw new ChronosError('CORRUPTION', `Corrupt sync data: ${where} does not match its columns`);
  }
  return value.map((v) => decodeValue(v, where));
}

/** Inverse of encodeSyncOp; CORRUPTION (naming `where`, e.g. "op 7") when malformed. */
export function decodeSyncOp(bytes: Uint8Array, where: string): SyncOp {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(decoder.decode(bytes)) as Record<string, unknown>;
  } catch (cause) {
    throw new ChronosError('CORRUPTION', `Corrupt sync data: ${where} is not JSON`, { cause });
  }
  if (typeof body !== 'object' || body === null || body.v !== FORMAT) {
    throw new ChronosError('CORRUPTION', `Corrupt sync data: ${where} has unknown format ${String(body?.v)}`);
  }
  const hlc = checkHlc(body.hlc, where);
  if (body.kind === 'ddl' && typeof body.sql === 'string') return { kind: 'ddl', hlc, sql: body.sql };
  if (typeof body.table !== 'string') {
    throw new ChronosError('CORRUPTION', `Corrupt sync data: ${where} names no table`);
  }
  const table = body.table;
  if (body.kind === 'delete') {
    const keyColumns = stringList(body.keyColumns, where);
    return { kind: 'delete', hlc, table, keyColumns, key: valueList(body.key, keyColumns.length, where) };
  }
  if (body.kind === 'upsert' || body.kind === 'append') {
    const columns = stringList(body.columns, where);
    return { kind: body.kind, hlc, table, columns, row: valueList(body.row, columns.length, where) };
  }
  throw new ChronosError('CORRUPTION', `Corrupt sync data: ${where} has unknown kind ${String(body.kind)}`);
}
