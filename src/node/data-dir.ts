import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ChronosError, errorMessage } from '../lib/index.js';
import { DIR_FORMAT_VERSION, DIR_MARKER_FILE, readDirMarker } from './dir-marker.js';
import type { DirMarker } from './dir-marker.js';

/** What a path given to `-d` holds, as far as ChronosDB is concerned. */
export type DirShape =
  | { readonly kind: 'missing' }
  | { readonly kind: 'not-a-dir' }
  | { readonly kind: 'empty' }
  /** A single-node dir; `marker` is null for one made before markers existed. */
  | { readonly kind: 'single-node'; readonly marker: DirMarker | null }
  /** A cluster node's dir (`DIR/ID`); `marker` is null for one made before markers existed. */
  | { readonly kind: 'node'; readonly marker: DirMarker | null }
  /** The dir `chronos node -d` takes: it holds node dirs. */
  | { readonly kind: 'cluster'; readonly nodes: readonly string[] }
  /** Anything else that is not empty: never written into. */
  | { readonly kind: 'foreign'; readonly entries: readonly string[] };

/**
 * Entries that do not make a dir "not empty": a fresh volume's lost+found, and the marker's
 * temporary file left by a crash while a new dir was being marked.
 */
const IGNORED_ENTRIES: ReadonlySet<string> = new Set(['lost+found', `${DIR_MARKER_FILE}.tmp`]);

/**
 * Classifies `dir` without writing anything. Dirs made before markers existed are recognized
 * by their layout: a node dir holds `wal/`, a single-node dir is a LevelDB dir (`CURRENT`).
 * A marker from a newer format refuses here, before anything opens the dir.
 */
export function classifyDir(dir: string): DirShape {
  const entries = listDir(dir);
  if (entries === 'missing' || entries === 'not-a-dir') return { kind: entries };
  const listed = entries.filter((name) => !IGNORED_ENTRIES.has(name));
  if (listed.length === 0) return { kind: 'empty' };
  const marker = readDirMarker(dir);
  if (marker !== null) {
    refuseNewerFormat(dir, marker);
    return { kind: marker.kind, marker } as DirShape;
  }
  if (isDirectory(join(dir, 'wal'))) return { kind: 'node', marker: null };
  if (listed.includes('CURRENT')) return { kind: 'single-node', marker: null };
  const nodes = listed.filter((name) => looksLikeNodeDir(join(dir, name))).sort();
  if (nodes.length > 0) return { kind: 'cluster', nodes };
  // An empty subdir holds nothing to lose; skipping it also lets nodes sharing DIR start
  // together (another node's DIR/ID exists, still empty, for an instant before its wal/).
  const relevant = listed.filter((name) => !isEmptyDirectory(join(dir, name)));
  if (relevant.length === 0) return { kind: 'empty' };
  return { kind: 'foreign', entries: relevant.sort() };
}

function refuseNewerFormat(dir: string, marker: DirMarker): void {
  if (marker.version <= DIR_FORMAT_VERSION) return;
  throw new ChronosError('CONFIG_ERROR',
    `data dir '${dir}' was written by a newer ChronosDB (dir format ${marker.version}; this build ` +
    `reads up to ${DIR_FORMAT_VERSION}): run a newer chronos on it`);
}

/** A cheap look one level down: a marked node dir, or an unmarked one laid out as a node's. */
function looksLikeNodeDir(path: string): boolean {
  if (!isDirectory(path)) return false;
  if (existsSync(join(path, DIR_MARKER_FILE))) {
    try {
      return readDirMarker(path)?.kind === 'node';
    } catch {
      return false;
    }
  }
  return isDirectory(join(path, 'wal'));
}

function listDir(dir: string): readonly string[] | 'missing' | 'not-a-dir' {
  try {
    if (!statSync(dir).isDirectory()) return 'not-a-dir';
    return readdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    if (code === 'ENOTDIR') return 'not-a-dir';
    throw new ChronosError('IO_ERROR', `cannot read data dir '${dir}': ${errorMessage(error)}`, { cause: error });
  }
}

function isEmptyDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory() && readdirSync(path).length === 0;
  } catch {
    return false;
  }
}

/** True when `path` exists and is a directory. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The one line for a non-empty dir that ChronosDB did not make. */
export function foreignDirError(dir: string, entries: readonly string[], flag: string): ChronosError {
  const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', ...' : '');
  return new ChronosError('CONFIG_ERROR',
    `'${dir}' is not empty and is not a ChronosDB data dir (it holds ${shown}); ` +
    `give ${flag} a new or empty directory`);
}

/** The one line for a path that exists but is not a directory. */
export function notADirError(dir: string, flag: string): ChronosError {
  return new ChronosError('CONFIG_ERROR', `${flag} '${dir}' is a file, not a directory`);
}
