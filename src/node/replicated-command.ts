import { assertNever, ChronosError } from '../lib/index.js';
import { decodeIngestBatch, decodePointBatch, encodeIngestBatch, encodePointBatch } from '../ingest/index.js';
import type { IngestApplied, IngestBatch, PointBatch, PointsApplied } from '../ingest/index.js';
import { decodeWriteCommand, encodeWriteCommand } from '../sql/index.js';
import type { WriteCommand, StatementResult } from '../sql/index.js';
import { decodeSyncBatch, encodeSyncBatch } from '../sync/index.js';
import type { SyncApplied, SyncBatchCommand } from '../sync/index.js';

/**
 * What one Raft 'command' entry asks every replica to do. The leader fixes everything that
 * could differ between replicas (the time, ids) before proposing, so apply is deterministic.
 * Membership changes are Raft 'config' entries, not commands.
 */
export type ReplicatedCommand =
  | { readonly kind: 'sqlWrite'; readonly write: WriteCommand }
  /** Deletes rows expired at `nowMs`: all of them, or the `rowsMax` that expire first. */
  | { readonly kind: 'ttlSweep'; readonly nowMs: number; readonly rowsMax?: number }
  | { readonly kind: 'ingestBatch'; readonly batch: IngestBatch }
  /** Points journaled from InfluxDB line protocol (`POST /write`). */
  | { readonly kind: 'pointBatch'; readonly batch: PointBatch }
  /** Names the cluster once; the first one applied wins (see cluster-identity.ts). */
  | { readonly kind: 'clusterBirth'; readonly clusterId: string }
  /** A batch an edge shipped to this (target) cluster. */
  | { readonly kind: 'syncBatch'; readonly batch: SyncBatchCommand }
  /** On an edge: the target holds ops through `throughId`; they leave the outbox. */
  | { readonly kind: 'syncAck'; readonly throughId: number }
  /** Indexes up to `rowsMax` more rows of the building index of lowest id (see storage/index-build.ts). */
  | { readonly kind: 'indexBuild'; readonly rowsMax: number };

/** What applying a command produced, for the node that proposed it. */
export type CommandOutcome =
  | { readonly kind: 'statements'; readonly results: readonly StatementResult[] }
  | { readonly kind: 'ingest'; readonly applied: IngestApplied }
  | { readonly kind: 'points'; readonly applied: PointsApplied }
  | { readonly kind: 'sync'; readonly applied: SyncApplied };

/**
 * Entry data (format 2): u8 2 | u8 kind | body. Format 1 entries written by older versions are
 * still read: a SQL write starts with its own version byte 1, a TTL pass with 'T' (0x54).
 */
const FORMAT = 2;
const LEGACY_SQL_WRITE = 1;
const LEGACY_TTL_SWEEP = 0x54;
const KIND_TAGS = { sqlWrite: 1, ttlSweep: 2, ingestBatch: 3, clusterBirth: 4, syncBatch: 5, syncAck: 6, pointBatch: 7, indexBuild: 9 } as const satisfies Record<ReplicatedCommand['kind'], number>;
/** A TTL pass with a bound: a tag of its own, so a version that knows only the whole pass stops at it rather than diverge. */
const BOUNDED_TTL_SWEEP = 8;
const HEADER_BYTES = 2;
const TTL_BODY_BYTES = 8;

/** The entry data for `command`. */
export function encodeReplicatedCommand(command: ReplicatedCommand): Uint8Array {
  switch (command.kind) {
    case 'sqlWrite':
      return withHeader(KIND_TAGS.sqlWrite, encodeWriteCommand(command.write));
    case 'ttlSweep': {
      const bounded = command.rowsMax !== undefined;
      const body = new Uint8Array(bounded ? 2 * TTL_BODY_BYTES : TTL_BODY_BYTES);
      new DataView(body.buffer).setFloat64(0, command.nowMs, false);
      if (bounded) new DataView(body.buffer).setFloat64(TTL_BODY_BYTES, command.rowsMax, false);
      return withHeader(bounded ? BOUNDED_TTL_SWEEP : KIND_TAGS.ttlSweep, body);
    }
    case 'ingestBatch':
      return withHeader(KIND_TAGS.ingestBatch, encodeIngestBatch(command.batch));
    case 'pointBatch':
      return withHeader(KIND_TAGS.pointBatch, encodePointBatch(command.batch));
    case 'clusterBirth':
      return withHeader(KIND_TAGS.clusterBirth, new TextEncoder().encode(command.clusterId));
    case 'syncBatch':
      return withHeader(KIND_TAGS.syncBatch, encodeSyncBatch(command.batch));
    case 'syncAck': {
      const body = new Uint8Array(TTL_BODY_BYTES);
      new DataView(body.buffer).setFloat64(0, command.throughId, false);
      return withHeader(KIND_TAGS.syncAck, body);
    }
    case 'indexBuild': {
      const body = new Uint8Array(TTL_BODY_BYTES);
      new DataView(body.buffer).setFloat64(0, command.rowsMax, false);
      return withHeader(KIND_TAGS.indexBuild, body);
    }
    default:
      return assertNever(command, 'replicated command');
  }
}

function withHeader(tag: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + body.length);
  out[0] = FORMAT;
  out[1] = tag;
  out.set(body, HEADER_BYTES);
  return out;
}

/** The command in an entry's data; CORRUPTION (naming the offset) when it is malformed. */
export function decodeReplicatedCommand(data: Uint8Array): ReplicatedCommand {
  switch (data[0]) {
    case FORMAT:
      return decodeTagged(data[1], data.subarray(HEADER_BYTES));
    case LEGACY_SQL_WRITE:
      return { kind: 'sqlWrite', write: decodeWriteCommand(data) };
    case LEGACY_TTL_SWEEP:
      return { kind: 'ttlSweep', nowMs: readTime(data.subarray(1), 1) };
    default:
      throw new ChronosError('CORRUPTION',
        `Corrupt log entry: unknown command format ${data[0] ?? '(empty)'} at offset 0`);
  }
}

function decodeTagged(tag: number | undefined, body: Uint8Array): ReplicatedCommand {
  switch (tag) {
    case KIND_TAGS.sqlWrite:
      return { kind: 'sqlWrite', write: decodeWriteCommand(body) };
    case KIND_TAGS.ttlSweep:
      return { kind: 'ttlSweep', nowMs: readTime(body, HEADER_BYTES) };
    case BOUNDED_TTL_SWEEP:
      return { kind: 'ttlSweep', nowMs: readTime(body.subarray(0, TTL_BODY_BYTES), HEADER_BYTES), rowsMax: readRowsMax(body) };
    case KIND_TAGS.ingestBatch:
      return { kind: 'ingestBatch', batch: decodeIngestBatch(body) };
    case KIND_TAGS.pointBatch:
      return { kind: 'pointBatch', batch: decodePointBatch(body) };
    case KIND_TAGS.clusterBirth:
      return { kind: 'clusterBirth', clusterId: readClusterId(body) };
    case KIND_TAGS.syncBatch:
      return { kind: 'syncBatch', batch: decodeSyncBatch(body) };
    case KIND_TAGS.syncAck:
      return { kind: 'syncAck', throughId: readTime(body, HEADER_BYTES) };
    case KIND_TAGS.indexBuild:
      return { kind: 'indexBuild', rowsMax: readPassRows(body) };
    default:
      throw new ChronosError('CORRUPTION',
        `Corrupt log entry: unknown command kind ${tag ?? '(missing)'} at offset 1`);
  }
}

/** True for a well-formed cluster id: 128 bits as 32 lowercase hex digits. */
export function isClusterId(text: string): boolean {
  return /^[0-9a-f]{32}$/.test(text);
}

/** A cluster birth's id: exactly 32 lowercase hex digits. */
function readClusterId(body: Uint8Array): string {
  const clusterId = new TextDecoder().decode(body);
  if (!isClusterId(clusterId)) {
    throw new ChronosError('CORRUPTION', `Corrupt cluster birth: id is not 32 hex digits at offset ${HEADER_BYTES}`);
  }
  return clusterId;
}

/** A TTL pass's cutoff: exactly one finite f64. `offset` places errors in the entry. */
function readTime(body: Uint8Array, offset: number): number {
  if (body.length !== TTL_BODY_BYTES) {
    throw new ChronosError('CORRUPTION',
      `Corrupt TTL command: ${body.length} bytes at offset ${offset}, expected ${TTL_BODY_BYTES}`);
  }
  const nowMs = new DataView(body.buffer, body.byteOffset, body.byteLength).getFloat64(0, false);
  if (!Number.isFinite(nowMs)) {
    throw new ChronosError('CORRUPTION', `Corrupt TTL command: time is not finite at offset ${offset}`);
  }
  return nowMs;
}

/**
 * An outcome as it returns to a follower that passed a command on: JSON, for the outcomes of
 * commands that are passed on (ingest batches); SQL writes have their own forwarding RPC.
 */
export function encodeCommandOutcome(outcome: CommandOutcome): Uint8Array {
  if (outcome.kind === 'statements') {
    throw new ChronosError('INVALID_ARGUMENT', `a ${outcome.kind} outcome is not passed back as a command outcome`);
  }
  return new TextEncoder().encode(JSON.stringify(outcome));
}

/** Inverse of encodeCommandOutcome; CORRUPTION when malformed. */
export function decodeCommandOutcome(bytes: Uint8Array): CommandOutcome {
  const bad = (): never => {
    throw new ChronosError('CORRUPTION', 'the leader answered a malformed command outcome');
  };
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return bad();
  }
  if (typeof value !== 'object' || value === null) return bad();
  const { kind, applied } = value as { kind?: unknown; applied?: Record<string, unknown> };
  if (typeof applied !== 'object' || applied === null) return bad();
  if (kind === 'sync') {
    const { cursor, applied: count, duplicates: skipped, superseded } = applied;
    if (typeof cursor !== 'number' || typeof count !== 'number' || typeof skipped !== 'number' ||
      typeof superseded !== 'number') return bad();
    return { kind: 'sync', applied: { cursor, applied: count, duplicates: skipped, superseded } };
  }
  if (kind === 'points') return pointsOutcome(applied) ?? bad();
  if (kind !== 'ingest') return bad();
  const { inserted, duplicates, problem } = applied;
  if (typeof inserted !== 'number' || typeof duplicates !== 'number' ||
    !(problem === null || typeof problem === 'string')) return bad();
  return { kind: 'ingest', applied: { inserted, duplicates, problem } };
}

function pointsOutcome(applied: Record<string, unknown>): CommandOutcome | null {
  const { stored, merged, skipped, replayed, problems } = applied;
  if (typeof stored !== 'number' || typeof merged !== 'number' || typeof skipped !== 'number' ||
    typeof replayed !== 'number' || !Array.isArray(problems) || !problems.every((p) => typeof p === 'string')) return null;
  return { kind: 'points', applied: { stored, merged, skipped, replayed, problems: problems as string[] } };
}

/** A bounded TTL pass's row bound: a positive integer after its time. */
function readRowsMax(body: Uint8Array): number {
  const offset = HEADER_BYTES + TTL_BODY_BYTES;
  if (body.length !== 2 * TTL_BODY_BYTES) {
    throw new ChronosError('CORRUPTION', `Corrupt TTL command: ${body.length} bytes at offset ${HEADER_BYTES}, expected ${2 * TTL_BODY_BYTES}`);
  }
  const rowsMax = new DataView(body.buffer, body.byteOffset + TTL_BODY_BYTES, TTL_BODY_BYTES).getFloat64(0, false);
  if (!Number.isSafeInteger(rowsMax) || rowsMax < 1) {
    throw new ChronosError('CORRUPTION', `Corrupt TTL command: row bound ${rowsMax} at offset ${offset} is not a positive integer`);
  }
  return rowsMax;
}

/** An index-build pass's row bound: one positive integer as a float64. */
function readPassRows(body: Uint8Array): number {
  const rowsMax = body.length === TTL_BODY_BYTES ? new DataView(body.buffer, body.byteOffset, TTL_BODY_BYTES).getFloat64(0, false) : NaN;
  if (!Number.isSafeInteger(rowsMax) || rowsMax < 1) {
    throw new ChronosError('CORRUPTION', `Corrupt index build command at offset ${HEADER_BYTES}: ` +
      `${body.length} bytes (expected ${TTL_BODY_BYTES}) holding row bound ${rowsMax}`);
  }
  return rowsMax;
}
