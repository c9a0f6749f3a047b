import { ChronosError } from '../lib/index.js';
import type { SyncBatchCommand } from './apply-batch.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** A sync batch as a log entry body: compact JSON, each op's data kept as its JSON text. */
export function encodeSyncBatch(batch: SyncBatchCommand): Uint8Array {
  return encoder.encode(JSON.stringify({
    e: batch.edgeId, n: batch.nowMs, o: batch.ops.map((op) => [op.id, decoder.decode(op.data)]),
  }));
}

/** Inverse of encodeSyncBatch; CORRUPTION when malformed. */
export function decodeSyncBatch(bytes: Uint8Array): SyncBatchCommand {
  const bad = (what: string): never => {
    throw new ChronosError('CORRUPTION', `Corrupt sync batch entry: ${what}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw new ChronosError('CORRUPTION', 'Corrupt sync batch entry: not JSON', { cause });
  }
  const { e, n, o } = (value ?? {}) as Record<string, unknown>;
  if (typeof e !== 'string' || typeof n !== 'number' || !Array.isArray(o)) return bad('missing fields');
  const ops = o.map((pair: unknown, i) => {
    if (!Array.isArray(pair) || typeof pair[0] !== 'number' || typeof pair[1] !== 'string') return bad(`op ${i} malformed`);
    return { id: pair[0], data: encoder.encode(pair[1]) };
  });
  return { edgeId: e, nowMs: n, ops };
}
