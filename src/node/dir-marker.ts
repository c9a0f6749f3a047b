import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ChronosError, errorMessage } from '../lib/index.js';

/**
 * Every data dir ChronosDB creates carries this small file, so `-d` can tell its own dirs from
 * anything else before writing a byte, and a node can tell its dir from another node's.
 */
export const DIR_MARKER_FILE = 'chronos-dir.json';

/** The on-disk layout version this build writes and the newest it can open. */
export const DIR_FORMAT_VERSION = 1;

const FORMAT_NAME = 'chronosdb-data-dir';

/** A single-node dir (the LevelDB dir itself) or a cluster node's dir (`DIR/ID`: wal/ + state/). */
export type DirKind = 'single-node' | 'node';

/** What the marker records about its dir. */
export interface DirMarker {
  readonly kind: DirKind;
  readonly version: number;
  /** The node that owns a node dir; null for a single-node dir or a restored, unclaimed node dir. */
  readonly nodeId: string | null;
  /** The cluster a node dir belongs to; null until membership records one. */
  readonly clusterId: string | null;
}

/** Reads `dir`'s marker: null when there is none; CORRUPTION when it is unreadable. */
export function readDirMarker(dir: string): DirMarker | null {
  const path = join(dir, DIR_MARKER_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ChronosError('IO_ERROR', `cannot read ${path}: ${errorMessage(error)}`, { cause: error });
  }
  return parseMarker(text, path);
}

function parseMarker(text: string, path: string): DirMarker {
  const bad = (what: string): never => {
    throw new ChronosError('CORRUPTION', `${path} is not a valid ChronosDB dir marker (${what})`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return bad('not JSON');
  }
  if (typeof value !== 'object' || value === null) return bad('not an object');
  const record = value as Record<string, unknown>;
  if (record['format'] !== FORMAT_NAME) return bad(`format is not "${FORMAT_NAME}"`);
  const { version, kind } = record;
  const nodeId = record['node_id'] ?? null;
  const clusterId = record['cluster_id'] ?? null;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return bad('bad version');
  if (kind !== 'single-node' && kind !== 'node') return bad('bad kind');
  if (nodeId !== null && typeof nodeId !== 'string') return bad('bad node_id');
  if (clusterId !== null && typeof clusterId !== 'string') return bad('bad cluster_id');
  return { kind, version, nodeId, clusterId };
}

/** Writes `dir`'s marker durably (temporary file, fsync, rename). */
export function writeDirMarker(dir: string, marker: Omit<DirMarker, 'version'>): void {
  const path = join(dir, DIR_MARKER_FILE);
  const text = JSON.stringify({
    format: FORMAT_NAME,
    version: DIR_FORMAT_VERSION,
    kind: marker.kind,
    node_id: marker.nodeId,
    cluster_id: marker.clusterId,
  });
  const temporary = `${path}.tmp`;
  try {
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, `${text}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    throw new ChronosError('IO_ERROR', `cannot write ${path}: ${errorMessage(error)}`, { cause: error });
  }
}
