import { assert, ChronosError } from '../lib/index.js';
import type { Random } from '../lib/index.js';
import type { Disk, DiskFile, DiskStats } from './disk.js';

/**
 * A file's bytes. Files are append-only between syncs (truncate is made durable at once), so
 * "what survives a crash" is always a prefix: the first `syncedLength` bytes, plus optionally
 * some of the unsynced ones.
 */
interface Inode {
  buffer: Uint8Array;
  length: number;
  syncedLength: number;
}

/** A directory: the entries as seen now, and those a crash would bring back. */
interface SimDirectory {
  live: Map<string, Inode>;
  durable: Map<string, Inode>;
}

/** Options for `SimDisk.crash`. */
export interface CrashOptions {
  /** Keep a random prefix of each file's unsynced bytes, producing torn tails. */
  readonly keepUnsyncedPrefix?: boolean;
}

/** Test hooks of a SimDisk. */
export interface SimDiskOptions {
  /** Chance source for torn tails; required only when crashing with `keepUnsyncedPrefix`. */
  readonly random?: Random;
  /** Awaited inside every file sync, so a test can hold an fsync "in flight". */
  readonly beforeSync?: () => Promise<void>;
}

function splitPath(path: string): { dir: string; name: string } {
  const slash = path.lastIndexOf('/');
  assert(slash > 0 && slash < path.length - 1, `SimDisk path needs dir/name: ${path}`);
  return { dir: path.slice(0, slash), name: path.slice(slash + 1) };
}

function notFound(operation: string, path: string): ChronosError {
  return new ChronosError('IO_ERROR', `${operation} ${path} failed: no such file`, {
    details: { file: path, operation },
  });
}

/** An in-memory Disk whose `crash()` drops every byte and directory change not synced. */
export class SimDisk implements Disk {
  readonly stats: DiskStats = { fileSyncs: 0, dirSyncs: 0, appends: 0, bytesAppended: 0 };
  /** When set, the next file sync fails with IO_ERROR (and the flag clears). */
  failNextSync = false;
  readonly #dirs = new Map<string, SimDirectory>();
  readonly #options: SimDiskOptions;
  /** Bumped by crash(); handles opened before a crash stop working, as a dead process's do. */
  #generation = 0;
  /** Between crash() and restart() every operation fails, so a dead writer cannot touch disk. */
  #down = false;

  constructor(options: SimDiskOptions = {}) {
    this.#options = options;
  }

  async mkdir(dir: string): Promise<void> {
    if (this.#down) throw new ChronosError('IO_ERROR', `mkdir ${dir} failed: disk is down`);
    // Simplification: directories themselves are durable at once.
    if (!this.#dirs.has(dir)) this.#dirs.set(dir, { live: new Map(), durable: new Map() });
  }

  async list(dir: string): Promise<string[]> {
    return [...this.#dir(dir, 'list').live.keys()].sort();
  }

  async openAppend(path: string): Promise<DiskFile> {
    const { dir, name } = splitPath(path);
    const directory = this.#dir(dir, 'open');
    let inode = directory.live.get(name);
    if (inode === undefined) {
      inode = { buffer: new Uint8Array(256), length: 0, syncedLength: 0 };
      directory.live.set(name, inode);
    }
    return this.#handle(path, inode);
  }

  async read(path: string): Promise<Uint8Array> {
    const inode = this.#inode(path, 'read');
    return inode.buffer.slice(0, inode.length);
  }

  async truncate(path: string, length: number): Promise<void> {
    const inode = this.#inode(path, 'truncate');
    assert(length >= 0 && length <= inode.length, `truncate ${path} to ${length} in range`);
    inode.length = length;
    inode.syncedLength = length;
  }

  async rename(fromPath: string, toPath: string): Promise<void> {
    const from = splitPath(fromPath);
    const to = splitPath(toPath);
    const inode = this.#inode(fromPath, 'rename');
    this.#dir(from.dir, 'rename').live.delete(from.name);
    this.#dir(to.dir, 'rename').live.set(to.name, inode);
  }

  async unlink(path: string): Promise<void> {
    const { dir, name } = splitPath(path);
    if (!this.#dir(dir, 'unlink').live.delete(name)) throw notFound('unlink', path);
  }

  async syncDir(dir: string): Promise<void> {
    const directory = this.#dir(dir, 'fsync directory');
    this.stats.dirSyncs += 1;
    directory.durable = new Map(directory.live);
  }

  /**
   * Simulates power loss: unsynced bytes and unsynced directory changes are gone, and every
   * operation fails until `restart()` (let the dead writer's promises settle in between).
   */
  crash(options: CrashOptions = {}): void {
    this.#generation += 1;
    this.#down = true;
    for (const directory of this.#dirs.values()) {
      directory.live = new Map(directory.durable);
      for (const inode of directory.live.values()) {
        let kept = 0;
        const unsynced = inode.length - inode.syncedLength;
        if (options.keepUnsyncedPrefix === true && unsynced > 0) {
          const random = this.#options.random;
          assert(random !== undefined, 'SimDisk needs a Random to keep torn tails');
          kept = random.int(unsynced + 1);
        }
        inode.length = inode.syncedLength + kept;
        inode.syncedLength = inode.length;
      }
    }
  }

  /** Brings the disk back after `crash()`. */
  restart(): void {
    this.#down = false;
  }

  /** Flips every bit of the byte at `offset` in `path`, durably (a media error). */
  flipByte(path: string, offset: number): void {
    const inode = this.#inode(path, 'flip');
    assert(offset >= 0 && offset < inode.length, `flip ${path}@${offset} in range`);
    inode.buffer[offset] = (inode.buffer[offset] ?? 0) ^ 0xff;
  }

  /** The current length of `path` in bytes. */
  size(path: string): number {
    return this.#inode(path, 'size').length;
  }

  #handle(path: string, inode: Inode): DiskFile {
    const generation = this.#generation;
    const live = (operation: string): void => {
      if (generation !== this.#generation || this.#down) {
        throw new ChronosError('IO_ERROR', `${operation} ${path} failed: handle from before crash`);
      }
    };
    return {
      path,
      append: async (data: Uint8Array): Promise<void> => {
        live('append to');
        this.stats.appends += 1;
        this.stats.bytesAppended += data.length;
        appendBytes(inode, data);
      },
      sync: async (): Promise<void> => {
        live('fsync');
        this.stats.fileSyncs += 1;
        if (this.#options.beforeSync !== undefined) await this.#options.beforeSync();
        live('fsync');
        if (this.failNextSync) {
          this.failNextSync = false;
          throw new ChronosError('IO_ERROR', `fsync ${path} failed: injected fault`);
        }
        inode.syncedLength = inode.length;
      },
      close: async (): Promise<void> => {},
    };
  }

  #dir(dir: string, operation: string): SimDirectory {
    if (this.#down) throw new ChronosError('IO_ERROR', `${operation} ${dir} failed: disk is down`);
    const directory = this.#dirs.get(dir);
    if (directory === undefined) throw notFound(operation, dir);
    return directory;
  }

  #inode(path: string, operation: string): Inode {
    const { dir, name } = splitPath(path);
    const inode = this.#dir(dir, operation).live.get(name);
    if (inode === undefined) throw notFound(operation, path);
    return inode;
  }
}

function appendBytes(inode: Inode, data: Uint8Array): void {
  const needed = inode.length + data.length;
  if (needed > inode.buffer.length) {
    const grown = new Uint8Array(Math.max(needed, inode.buffer.length * 2));
    grown.set(inode.buffer.subarray(0, inode.length));
    inode.buffer = grown;
  }
  inode.buffer.set(data, inode.length);
  inode.length = needed;
}
