/**
 * The Disk port: the few file operations the WAL needs. `NodeDisk` runs on node:fs/promises;
 * `SimDisk` keeps files in memory and can crash, losing what was not fsynced.
 * Paths are POSIX strings `dir/name`; the WAL only uses one flat directory.
 */

/** An open file that is only ever appended to. */
export interface DiskFile {
  readonly path: string;
  /** Appends at the end of the file (not durable until `sync`). */
  append(data: Uint8Array): Promise<void>;
  /** Makes every appended byte durable (fsync/fdatasync). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** File-system operations used by the WAL. */
export interface Disk {
  /** Creates the directory (and parents) if missing. */
  mkdir(dir: string): Promise<void>;
  /** The names (not paths) of the files in `dir`, sorted. */
  list(dir: string): Promise<string[]>;
  /** Opens `path` for appending, creating it empty if missing. */
  openAppend(path: string): Promise<DiskFile>;
  /** The whole content of `path`. */
  read(path: string): Promise<Uint8Array>;
  /** Cuts `path` to `length` bytes and makes the new length durable. */
  truncate(path: string, length: number): Promise<void>;
  rename(fromPath: string, toPath: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Makes creations, renames and unlinks in `dir` durable. */
  syncDir(dir: string): Promise<void>;
}

/** Joins a directory and a file name into a Disk path. */
export function diskPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/** Counts of the operations a Disk performed (for group-commit tests and benchmarks). */
export interface DiskStats {
  fileSyncs: number;
  dirSyncs: number;
  appends: number;
  bytesAppended: number;
}

/** Wraps a Disk and counts its appends and syncs. */
export class CountingDisk implements Disk {
  readonly stats: DiskStats = { fileSyncs: 0, dirSyncs: 0, appends: 0, bytesAppended: 0 };
  readonly #inner: Disk;

  constructor(inner: Disk) {
    this.#inner = inner;
  }

  mkdir(dir: string): Promise<void> {
    return this.#inner.mkdir(dir);
  }
  list(dir: string): Promise<string[]> {
    return this.#inner.list(dir);
  }
  async openAppend(path: string): Promise<DiskFile> {
    const file = await this.#inner.openAppend(path);
    const stats = this.stats;
    return {
      path: file.path,
      append: (data) => {
        stats.appends += 1;
        stats.bytesAppended += data.length;
        return file.append(data);
      },
      sync: () => {
        stats.fileSyncs += 1;
        return file.sync();
      },
      close: () => file.close(),
    };
  }
  read(path: string): Promise<Uint8Array> {
    return this.#inner.read(path);
  }
  truncate(path: string, length: number): Promise<void> {
    return this.#inner.truncate(path, length);
  }
  rename(fromPath: string, toPath: string): Promise<void> {
    return this.#inner.rename(fromPath, toPath);
  }
  unlink(path: string): Promise<void> {
    return this.#inner.unlink(path);
  }
  syncDir(dir: string): Promise<void> {
    this.stats.dirSyncs += 1;
    return this.#inner.syncDir(dir);
  }
}
