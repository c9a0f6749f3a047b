import { writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** Writes up to this size are copied into the page cache on the calling thread. */
const SYNC_WRITE_BYTES_MAX = 256 * 1024;

/**
 * Writes all of `bytes` at `position` (null: at the file's offset, as an append). A small write
 * only copies into the page cache: done on this thread it saves a round trip through the thread
 * pool on every commit (the fsync that follows is what waits). A short write is legal for
 * write(2): loop until every byte is in.
 */
export async function writeFully(handle: FileHandle, bytes: Uint8Array, position: number | null): Promise<void> {
  let written = 0;
  // Bounded: each round writes at least one byte or throws.
  while (written < bytes.length) {
    const count = bytes.length - written;
    const at = position === null ? null : position + written;
    const done = count <= SYNC_WRITE_BYTES_MAX ? writeSync(handle.fd, bytes, written, count, at)
      : (await handle.write(bytes, written, count, at)).bytesWritten;
    if (done <= 0) throw new Error('write returned 0 bytes');
    written += done;
  }
}
