import { randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChronosError } from '../lib/index.js';

const ID_FILE = 'JOURNAL_ID';

/**
 * The journal's incarnation: a random id made when the journal is created. Record sequence
 * numbers start at 1 in every new journal, so a node whose disk was replaced (same node id, empty
 * dir) would reuse numbers the replicated cursor already passed, and its new readings would be
 * skipped as "applied before"; keying the cursor by incarnation keeps the two apart. A journal
 * made before ids existed has none (null): its cursor stays keyed by the node id alone.
 */
export async function journalIncarnation(dir: string, hasSegments: boolean): Promise<string | null> {
  const path = join(dir, ID_FILE);
  const stored = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw new ChronosError('IO_ERROR', `cannot read ${path}: ${error.message}`, { cause: error });
  });
  if (stored !== null) {
    const id = stored.trim();
    if (!/^[0-9a-f]{16,64}$/.test(id)) throw new ChronosError('CORRUPTION', `${path} holds no journal id`);
    return id;
  }
  if (hasSegments) return null;
  const id = randomBytes(8).toString('hex');
  // Written and fsynced (file and dir) before the first record can be answered 202.
  const file = await open(path, 'wx');
  try {
    await file.writeFile(`${id}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
  return id;
}
