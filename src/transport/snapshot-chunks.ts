import type { SnapshotRequest } from '../raft/index.js';
import { assert, ChronosError } from '../lib/index.js';
import { asObject, readBytes, readMessage, readSafeUint, readString } from './proto-read.js';
import { snapshotMetaFromProto, snapshotMetaToProto } from './raft-codec.js';

/** Snapshot bytes per InstallSnapshot chunk: well under gRPC's 4 MiB default message limit. */
export const SNAPSHOT_CHUNK_BYTES = 1024 * 1024;

/** Largest snapshot a receiver reassembles: it is held in memory before `step`. */
export const SNAPSHOT_BYTES_MAX = 1024 * 1024 * 1024;

/** Splits a snapshot into SnapshotChunk proto objects (always at least one chunk). */
export function snapshotToChunks(
  message: SnapshotRequest,
  chunkBytes: number = SNAPSHOT_CHUNK_BYTES,
): Record<string, unknown>[] {
  assert(Number.isSafeInteger(chunkBytes) && chunkBytes > 0, 'chunk size must be positive');
  const meta = snapshotMetaToProto(message.meta);
  const total = message.data.byteLength;
  const chunks: Record<string, unknown>[] = [];
  let offset = 0;
  do {
    const end = Math.min(total, offset + chunkBytes);
    chunks.push({
      from: message.from,
      to: message.to,
      term: message.term,
      meta,
      offset,
      data: message.data.subarray(offset, end),
      totalBytes: total,
    });
    offset = end;
  } while (offset < total);
  assert(offset === total, 'snapshot chunks must cover every byte');
  return chunks;
}

/** Reassembles the chunks of one InstallSnapshot stream, checking they are contiguous. */
export class SnapshotAssembler {
  #first: { from: string; to: string; term: number; totalBytes: number } | null = null;
  #meta: SnapshotRequest['meta'] | null = null;
  #buffer: Uint8Array = new Uint8Array(0);
  #received = 0;

  /** Adds the next chunk of the stream. */
  add(value: unknown): void {
    const chunk = asObject(value, 'SnapshotChunk');
    const offset = readSafeUint(chunk, 'offset');
    const totalBytes = readSafeUint(chunk, 'totalBytes');
    const data = readBytes(chunk, 'data');
    if (this.#first === null) {
      if (totalBytes > SNAPSHOT_BYTES_MAX) {
        throw new ChronosError(
          'INVALID_ARGUMENT',
          `snapshot of ${totalBytes} bytes exceeds the ${SNAPSHOT_BYTES_MAX}-byte limit`,
        );
      }
      this.#first = {
        from: readString(chunk, 'from'),
        to: readString(chunk, 'to'),
        term: readSafeUint(chunk, 'term'),
        totalBytes,
      };
      this.#meta = snapshotMetaFromProto(readMessage(chunk, 'meta'));
      this.#buffer = new Uint8Array(totalBytes);
    }
    if (offset !== this.#received || totalBytes !== this.#first.totalBytes) {
      throw new ChronosError(
        'CORRUPTION',
        `snapshot stream out of order: chunk at offset ${offset}, expected ${this.#received}`,
        { details: { offset, expected: this.#received } },
      );
    }
    if (offset + data.byteLength > totalBytes) {
      throw new ChronosError(
        'CORRUPTION',
        `snapshot chunk at offset ${offset} runs past the declared ${totalBytes} bytes`,
        { details: { offset } },
      );
    }
    this.#buffer.set(data, offset);
    this.#received += data.byteLength;
  }

  /** The whole snapshot message, once every byte arrived. */
  finish(): SnapshotRequest {
    const first = this.#first;
    const meta = this.#meta;
    if (first === null || meta === null) {
      throw new ChronosError('CORRUPTION', 'snapshot stream ended without any chunk');
    }
    if (this.#received !== first.totalBytes) {
      throw new ChronosError(
        'CORRUPTION',
        `snapshot stream ended at ${this.#received} of ${first.totalBytes} bytes`,
        { details: { offset: this.#received } },
      );
    }
    return {
      type: 'snapshot',
      from: first.from,
      to: first.to,
      term: first.term,
      meta,
      data: this.#buffer,
    };
  }
}
