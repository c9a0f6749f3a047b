import { writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

interface Pending {
  readonly bytes: Buffer;
  readonly done: () => void;
  readonly failed: (error: unknown) => void;
}

/**
 * An append-only file with group commit, as the floor's nodes use it: what is appended while
 * an fdatasync runs goes out in one write and one fdatasync after it (the write on this thread,
 * the fdatasync on the thread pool, as the WAL does).
 */
export class DurableFile {
  readonly #handle: FileHandle;
  #pending: Pending[] = [];
  #syncing = false;

  private constructor(handle: FileHandle) {
    this.#handle = handle;
  }

  /** Opens (creating) `path` for appending. */
  static async open(path: string): Promise<DurableFile> {
    return new DurableFile(await open(path, 'a'));
  }

  /** Resolves once `bytes` are on disk (written and fdatasynced). */
  append(bytes: Buffer): Promise<void> {
    return new Promise<void>((done, failed) => {
      this.#pending.push({ bytes, done, failed });
      if (!this.#syncing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#syncing = true;
    // Bounded: each round takes everything pending; rounds end when nothing arrived meanwhile.
    while (this.#pending.length > 0) {
      const group = this.#pending;
      this.#pending = [];
      try {
        const bytes = Buffer.concat(group.map((p) => p.bytes));
        for (let at = 0; at < bytes.length; ) at += writeSync(this.#handle.fd, bytes, at);
        await this.#handle.datasync();
        for (const p of group) p.done();
      } catch (error) {
        for (const p of group) p.failed(error);
      }
    }
    this.#syncing = false;
  }
}
