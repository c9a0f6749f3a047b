import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { ChronosError, makeDirectories, writeFully } from '../lib/index.js';
import type { Disk, DiskFile } from './disk.js';

/** Wraps a failed file operation in an IO_ERROR naming the file. */
function ioError(operation: string, path: string, cause: unknown): ChronosError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ChronosError('IO_ERROR', `${operation} ${path} failed: ${reason}`, {
    cause,
    details: { file: path, operation },
  });
}

class NodeDiskFile implements DiskFile {
  readonly path: string;
  readonly #handle: FileHandle;

  constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.#handle = handle;
  }

  async append(data: Uint8Array): Promise<void> {
    try {
      await writeFully(this.#handle, data, null);
    } catch (error) {
      throw ioError('append to', this.path, error);
    }
  }

  async sync(): Promise<void> {
    try {
      // fdatasync also flushes the file size, which is all a reader needs after a crash.
      await this.#handle.datasync();
    } catch (error) {
      throw ioError('fsync', this.path, error);
    }
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}

/** The Disk port on the real file system (node:fs/promises). */
export class NodeDisk implements Disk {
  async mkdir(dir: string): Promise<void> {
    try {
      makeDirectories(dir);
    } catch (error) {
      throw ioError('mkdir', dir, error);
    }
  }

  async list(dir: string): Promise<string[]> {
    try {
      return (await readdir(dir)).sort();
    } catch (error) {
      throw ioError('list', dir, error);
    }
  }

  async openAppend(path: string): Promise<DiskFile> {
    try {
      return new NodeDiskFile(path, await open(path, 'a'));
    } catch (error) {
      throw ioError('open', path, error);
    }
  }

  async read(path: string): Promise<Uint8Array> {
    try {
      return await readFile(path);
    } catch (error) {
      throw ioError('read', path, error);
    }
  }

  async truncate(path: string, length: number): Promise<void> {
    let handle: FileHandle | undefined;
    try {
      handle = await open(path, 'r+');
      await handle.truncate(length);
      await handle.sync();
    } catch (error) {
      throw ioError('truncate', path, error);
    } finally {
      await handle?.close();
    }
  }

  async rename(fromPath: string, toPath: string): Promise<void> {
    try {
      await rename(fromPath, toPath);
    } catch (error) {
      throw ioError('rename', fromPath, error);
    }
  }

  async unlink(path: string): Promise<void> {
    try {
      await unlink(path);
    } catch (error) {
      throw ioError('unlink', path, error);
    }
  }

  async syncDir(dir: string): Promise<void> {
    let handle: FileHandle | undefined;
    try {
      handle = await open(dir, 'r');
      await handle.sync();
    } catch (error) {
      throw ioError('fsync directory', dir, error);
    } finally {
      await handle?.close();
    }
  }
}
