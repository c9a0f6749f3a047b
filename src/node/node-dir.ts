import { basename, dirname, join } from 'node:path';
import { ChronosError } from '../lib/index.js';
import { classifyDir, foreignDirError, notADirError } from './data-dir.js';
import { readDirMarker, writeDirMarker } from './dir-marker.js';

/**
 * Checks `chronos node --data-dir DIR --id ID` before anything is created: DIR must be new,
 * empty or a dir of node dirs, and DIR/ID new, empty or this node's own dir. Returns DIR/ID.
 */
export function checkNodeDataDir(dataDir: string, id: string, clean: boolean): string {
  const shape = classifyDir(dataDir);
  switch (shape.kind) {
    case 'missing':
    case 'empty':
    case 'cluster':
      break;
    case 'not-a-dir':
      throw notADirError(dataDir, '--data-dir');
    case 'single-node':
      throw new ChronosError('CONFIG_ERROR',
        `'${dataDir}' is a single-node data dir (chronos single-node, client -d); ` +
        'give chronos node a directory of its own');
    case 'node': {
      const owner = shape.marker?.nodeId ?? basename(dataDir);
      throw new ChronosError('CONFIG_ERROR',
        `'${dataDir}' is the dir of node ${owner}; --data-dir takes the directory that holds ` +
        `node dirs: --data-dir ${dirname(dataDir)}`);
    }
    case 'foreign':
      throw foreignDirError(dataDir, shape.entries, '--data-dir');
  }
  const nodeDir = join(dataDir, id);
  checkNodeDir(nodeDir, id, clean);
  return nodeDir;
}

/**
 * Checks a node's own dir: new, empty, or a node dir of this id (an unclaimed one, restored
 * from a backup, is taken). With `clean` any node dir goes, since it is about to be wiped.
 */
export function checkNodeDir(nodeDir: string, id: string, clean: boolean): void {
  const shape = classifyDir(nodeDir);
  switch (shape.kind) {
    case 'missing':
    case 'empty':
      return;
    case 'not-a-dir':
      throw new ChronosError('CONFIG_ERROR',
        `'${nodeDir}' is a file; node ${id} keeps its state in a directory at that path`);
    case 'node': {
      const owner = shape.marker?.nodeId ?? null;
      if (owner === null || owner === id || clean) return;
      throw new ChronosError('CONFIG_ERROR',
        `'${nodeDir}' belongs to node ${owner}, not ${id}: start it as --id ${owner}, or move ` +
        'the dir away to start this node empty');
    }
    case 'single-node':
      throw new ChronosError('CONFIG_ERROR',
        `'${nodeDir}' is a single-node data dir, not the dir of node ${id}; move it away first`);
    case 'cluster':
    case 'foreign':
      throw foreignDirError(nodeDir, shape.kind === 'cluster' ? shape.nodes : shape.entries, 'node');
  }
}

/** Marks a node dir as this node's (dirs made before markers, or restored from a backup). */
export function claimNodeDir(nodeDir: string, id: string): void {
  const marker = readDirMarker(nodeDir);
  if (marker !== null && marker.nodeId !== null) return;
  writeDirMarker(nodeDir, { kind: 'node', nodeId: id, clusterId: marker?.clusterId ?? null });
}
