import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Bytes under `path` as `du --apparent-size --bytes` counts them: every file and directory
 * entry, the WAL and the marker as well as the LevelDB files. A file that disappears while
 * it is counted (a WAL segment compacted away) counts as zero.
 */
export async function dirBytes(path: string): Promise<number> {
  let info;
  try {
    info = await lstat(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.size;
  let names: string[];
  try {
    names = await readdir(path);
  } catch {
    return info.size;
  }
  let total = info.size;
  for (const name of names) total += await dirBytes(join(path, name));
  return total;
}

/**
 * dirBytes of `path`, walked at most once per `maxAgeMs`: a scrape every few milliseconds (a
 * dashboard, a script polling a counter) would otherwise lstat every file of the data dir each
 * time, on the event loop that also runs Raft. Callers during a walk share it.
 */
export function recentDirBytes(path: string, maxAgeMs: number, nowMs: () => number): () => Promise<number> {
  let last: { readonly atMs: number; readonly bytes: Promise<number> } | null = null;
  return () => {
    const now = nowMs();
    if (last === null || now - last.atMs >= maxAgeMs) last = { atMs: now, bytes: dirBytes(path) };
    return last.bytes;
  };
}
