import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ChronosError, errorMessage } from '../lib/index.js';

/**
 * Fails with a message naming the folder when `file`'s folder does not exist (or is not a
 * folder), checked before any work so a backup is not streamed from a node only to fail on
 * its first byte with a bare ENOENT.
 */
export function assertOutputFolder(file: string, flag: string): void {
  const folder = dirname(resolve(file));
  let what: string;
  try {
    const stats = statSync(folder, { throwIfNoEntry: false });
    if (stats?.isDirectory() === true) return;
    what = stats === undefined ? 'does not exist' : 'is not a folder';
  } catch (error) {
    // A parent that is a file (ENOTDIR) or cannot be searched (EACCES): still this folder's fault.
    what = `cannot be used (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`;
  }
  throw new ChronosError('IO_ERROR', `the output folder '${folder}' ${what} ` +
    `(${flag} ${file}); create it, or write the file somewhere else`, { details: { file: folder } });
}
