import { ChronosError, crc32Update } from '../lib/index.js';
import { ByteReader, ByteWriter } from './bytes.js';
import type { KvEntry, KvSource } from './kv-source.js';

/**
 * Snapshot stream format (version 1):
 *   header  "CHRNSNAP" (8 bytes) | u32 format version
 *   records u32 key length | key | u32 value length | value       (in key order)
 *   trailer u32 0xFFFFFFFF | u32 record count | u32 CRC-32 of every byte before the CRC
 */
const MAGIC = Buffer.from('CHRNSNAP', 'latin1');
export const SNAPSHOT_FORMAT_VERSION = 1;
const END_OF_RECORDS = 0xffffffff;
const CHUNK_BYTES = 64 * 1024;

/** Stream every entry of `source` (a consistent snapshot) in the snapshot format. */
export async function* writeSnapshotStream(source: KvSource): AsyncIterable<Uint8Array> {
  let crc = 0;
  let records = 0;
  let writer = new ByteWriter(CHUNK_BYTES + 1024);
  writer.bytes(MAGIC).u32be(SNAPSHOT_FORMAT_VERSION);
  const all = source.range(Uint8Array.of(0x00), Uint8Array.of(0xff, 0xff, 0xff, 0xff), false);
  for await (const batch of all) {
    for (const entry of batch) {
      writer.u32be(entry.key.length).bytes(entry.key).u32be(entry.value.length).bytes(entry.value);
      records++;
      if (writer.length >= CHUNK_BYTES) {
        const chunk = writer.finish();
        crc = crc32Update(crc, chunk);
        yield chunk;
        writer = new ByteWriter(CHUNK_BYTES + 1024);
      }
    }
  }
  writer.u32be(END_OF_RECORDS).u32be(records);
  const tail = writer.finish();
  crc = crc32Update(crc, tail);
  yield tail;
  yield new ByteWriter(4).u32be(crc).finish();
}

function corrupt(message: string, offset: number): ChronosError {
  return new ChronosError('CORRUPTION', `snapshot rejected: ${message} at offset ${offset}`, {
    details: { offset },
  });
}

/** Read a whole snapshot stream, verifying header, framing and CRC before returning entries. */
export async function readSnapshotStream(chunks: AsyncIterable<Uint8Array>): Promise<KvEntry[]> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  const bytes = Buffer.concat(parts);
  if (bytes.length < MAGIC.length + 4 + 12) {
    throw corrupt(`the stream is truncated or not a snapshot: ${bytes.length} bytes, fewer than a header and trailer`, bytes.length);
  }
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw corrupt('bad magic', 0);
  const crcOffset = bytes.length - 4;
  const expected = bytes.readUInt32BE(crcOffset);
  const actual = crc32Update(0, bytes.subarray(0, crcOffset));
  if (expected !== actual) {
    // A whole stream ends with its trailer; one cut short ends wherever the copy stopped.
    if (bytes.readUInt32BE(bytes.length - 12) !== END_OF_RECORDS) {
      throw corrupt(`the stream is truncated: its ${bytes.length} bytes do not end with a trailer ` +
        '(an incomplete copy or download?)', bytes.length);
    }
    throw corrupt(`CRC mismatch (stored ${expected}, computed ${actual})`, crcOffset);
  }
  const reader = new ByteReader(bytes.subarray(0, crcOffset), 'snapshot', MAGIC.length);
  const version = reader.u32be();
  if (version !== SNAPSHOT_FORMAT_VERSION)
    throw corrupt(`unsupported format version ${version}`, MAGIC.length);
  const entries: KvEntry[] = [];
  // Bounded: every round consumes at least 8 bytes of a finite buffer.
  for (;;) {
    const keyLength = reader.u32be();
    if (keyLength === END_OF_RECORDS) break;
    const key = reader.bytes(keyLength);
    const value = reader.bytes(reader.u32be());
    entries.push({ key, value });
  }
  const count = reader.u32be();
  if (count !== entries.length)
    throw corrupt(`record count ${count} != ${entries.length}`, reader.offset);
  if (reader.remaining !== 0) throw corrupt('bytes after trailer', reader.offset);
  return entries;
}

