import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { ChronosError, errorMessage, makeDirectories } from '../lib/index.js';
import { crc32, levelDirInUse, openStorage } from '../storage/index.js';
import type { StorageEngine } from '../storage/index.js';
import { NodeDisk, Wal } from '../wal/index.js';
import type { SnapshotMeta, RaftCore } from '../raft/index.js';
import { classifyDir, foreignDirError, notADirError } from './data-dir.js';
import { writeDirMarker } from './dir-marker.js';
import { storedClusterId } from './cluster-identity.js';
import type { DirMarker } from './dir-marker.js';
import { nodePaths } from './restore.js';

/**
 * Backup file (version 1):
 *   "CHRONOSB" | u32 version | u32 meta length | meta JSON | u32 CRC-32 of meta JSON
 *   then the storage snapshot stream (which carries its own CRC over every byte).
 * The meta says where in the Raft log the image stands, so a restored node dir gets a WAL that
 * starts at the image, exactly as if the node had installed a Raft snapshot.
 */
const MAGIC = Buffer.from('CHRONOSB', 'latin1');
const VERSION = 1;

/** What a backup records besides the rows. */
export interface BackupMeta {
  /** `node`: a Raft member's dir (has wal/); `single`: a single-node dir. */
  readonly kind: 'node' | 'single';
  readonly index: number;
  readonly term: number;
  readonly voters: readonly string[];
  readonly createdAtMs: number;
}

/** Writes `dir`'s applied state (a stopped node's dir or a single-node dir) to `output`. */
export async function createBackup(dir: string, output: string): Promise<BackupMeta> {
  const paths = nodePaths(dir);
  // A node dir holds wal/ and state/; a single-node dir is the LevelDB dir itself.
  const isNode = existsSync(paths.wal);
  const storageDir = isNode ? paths.state : dir;
  if (!existsSync(join(storageDir, 'CURRENT'))) {
    const shape = classifyDir(dir);
    if (shape.kind === 'cluster') {
      // `chronos node -d DIR` keeps each node in DIR/ID: a backup is of one node.
      throw new ChronosError('INVALID_ARGUMENT', `${dir} holds cluster nodes (${shape.nodes.join(', ')}); ` +
        `a snapshot is of one node's dir, e.g. -d ${join(dir, shape.nodes[0] as string)}`);
    }
    throw new ChronosError('INVALID_ARGUMENT', `${dir} is not a ChronosDB data dir (no database in ${storageDir})`);
  }
  let term = 0;
  let voters: readonly string[] = [];
  const storage = await openStorage({ dir: storageDir }).catch((error: unknown) => {
    throw new ChronosError('IO_ERROR', `cannot open ${storageDir}: ${errorMessage(error)} (is the node still running?)`);
  });
  try {
    const index = storage.appliedIndex;
    if (isNode) {
      const { wal, state } = await Wal.open(new NodeDisk(), paths.wal, { logger: { warn: () => undefined } });
      await wal.close();
      const entry = state.entries.find((e) => e.index === index);
      term = entry?.term ?? (state.snapshot?.index === index ? state.snapshot.term : 0);
      voters = state.snapshot?.membership.voters ?? [];
      if (index > 0 && term === 0) {
        throw new ChronosError('CORRUPTION', `the log in ${paths.wal} does not hold applied index ${index}`);
      }
    }
    const meta: BackupMeta = { kind: isNode ? 'node' : 'single', index, term, voters, createdAtMs: Date.now() };
    await writeBackup(output, meta, storage);
    return meta;
  } finally {
    await storage.close();
  }
}

/**
 * Pins an online backup at storage's applied index: the first chunk of the export takes the
 * LevelDB snapshot, so the caller must call this between two applies. The core's log gives
 * the term of that index and the voters.
 */
export async function pinBackupImage(
  storage: StorageEngine,
  core: Pick<RaftCore, 'logView' | 'status'>,
  nowMs: number,
): Promise<{ readonly meta: BackupMeta; readonly chunks: AsyncIterable<Uint8Array> }> {
  const index = storage.appliedIndex;
  const view = core.logView();
  const term = index === view.snapshotIndex
    ? view.snapshotTerm
    : (view.entries.find((entry) => entry.index === index)?.term ?? 0);
  const image = storage.exportSnapshot()[Symbol.asyncIterator]();
  const first = await image.next();
  const meta: BackupMeta = { kind: 'node', index, term, voters: core.status().voters, createdAtMs: nowMs };
  async function* rest(): AsyncIterable<Uint8Array> {
    if (first.done !== true) yield first.value;
    for (;;) {
      const next = await image.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  return { meta, chunks: backupChunks(meta, rest()) };
}

/** The backup format as a stream: header, meta and its CRC, then the storage image. */
export async function* backupChunks(
  meta: BackupMeta,
  image: AsyncIterable<Uint8Array>,
): AsyncIterable<Uint8Array> {
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  const header = Buffer.alloc(MAGIC.length + 8);
  MAGIC.copy(header, 0);
  header.writeUInt32BE(VERSION, MAGIC.length);
  header.writeUInt32BE(metaBytes.length, MAGIC.length + 4);
  const metaCrc = Buffer.alloc(4);
  metaCrc.writeUInt32BE(crc32(metaBytes) >>> 0, 0);
  yield header;
  yield metaBytes;
  yield metaCrc;
  yield* image;
}

async function writeBackup(output: string, meta: BackupMeta, storage: StorageEngine): Promise<void> {
  const out = createWriteStream(output, { flags: 'w' });
  try {
    for await (const chunk of backupChunks(meta, storage.exportSnapshot())) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  } catch (error) {
    out.destroy();
    await rm(output, { force: true });
    throw new ChronosError('IO_ERROR', `cannot write backup ${output}: ${errorMessage(error)}`);
  }
}

/** Replaces `dir` with the backup in `input`; a non-empty dir needs `force`. */
export async function restoreBackup(dir: string, input: string, force: boolean): Promise<BackupMeta> {
  const info = await stat(input).catch(() => null);
  if (info === null || !info.isFile()) throw new ChronosError('INVALID_ARGUMENT', `backup file ${input} not found`);
  const previous = await checkRestoreTarget(dir, force);
  const stream = createReadStream(input);
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const { meta, rest } = await readHeader(chunks, input);
  // Build the restored dir beside the target and swap it in only once it verified: a corrupt
  // backup must never cost the data it was meant to replace.
  const staging = `${dir}.restoring-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  const paths = nodePaths(staging);
  const storageDir = meta.kind === 'node' ? paths.state : staging;
  try {
    makeDirectories(storageDir);
    const storage = await openStorage({ dir: storageDir });
    let imageCluster: string | null = null;
    try {
      await storage.importSnapshot(remaining(rest, chunks));
      if (storage.appliedIndex !== meta.index) {
        throw new ChronosError('CORRUPTION', `it says index ${meta.index} but holds ${storage.appliedIndex}`);
      }
      imageCluster = await storedClusterId(storage);
    } finally {
      await storage.close();
    }
    writeDirMarker(staging, restoredMarker(meta, previous, imageCluster));
    if (meta.kind === 'node') {
      makeDirectories(paths.wal);
      const { wal } = await Wal.open(new NodeDisk(), paths.wal, { logger: { warn: () => undefined } });
      const snapshot: SnapshotMeta = { index: meta.index, term: meta.term, membership: { voters: meta.voters } };
      // The node may have acknowledged entries after this image: it must not vote as if it
      // still held them until a leader has caught it up (see HardState.recovering).
      const hardState = { term: meta.term, vote: null, commit: meta.index, recovering: true } as const;
      await wal.save({ snapshot, hardState });
      await wal.close();
    }
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (error instanceof ChronosError) {
      throw new ChronosError(error.code, `backup ${input}: ${error.message}; ${dir} was left unchanged`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    stream.destroy();
  }
  return meta;
}

/**
 * A restore may replace only a ChronosDB dir, only with --force when it holds data, and never
 * one a running process holds (it would go on writing into files that are gone). Returns the
 * marker of the dir being replaced, if any.
 */
async function checkRestoreTarget(dir: string, force: boolean): Promise<DirMarker | null> {
  const shape = classifyDir(dir);
  switch (shape.kind) {
    case 'missing':
    case 'empty':
      return null;
    case 'not-a-dir':
      throw notADirError(dir, '--data-dir');
    case 'foreign':
      throw foreignDirError(dir, shape.entries, 'snapshot restore --data-dir');
    case 'cluster':
      throw new ChronosError('INVALID_ARGUMENT',
        `'${dir}' holds cluster nodes (${shape.nodes.join(', ')}); restore into one node's dir, ` +
        `e.g. ${join(dir, shape.nodes[0] as string)}`);
    case 'single-node':
    case 'node':
      break;
  }
  if (!force) throw new ChronosError('INVALID_ARGUMENT', `${dir} is not empty; pass --force to replace it`);
  const storageDir = shape.kind === 'node' ? nodePaths(dir).state : dir;
  if (await levelDirInUse(storageDir)) {
    throw new ChronosError('INVALID_ARGUMENT',
      `data dir '${dir}' is in use by a running process (a node or session holds ${storageDir}); ` +
      'stop it before restoring');
  }
  return shape.marker;
}

/**
 * The restored dir's marker: a node dir stays claimed by the node that owned the old one, and
 * belongs to the cluster its image names (else, for an image older than the cluster's birth,
 * to the cluster the replaced dir belonged to).
 */
function restoredMarker(
  meta: BackupMeta, previous: DirMarker | null, imageCluster: string | null,
): Omit<DirMarker, 'version'> {
  if (meta.kind === 'single') return { kind: 'single-node', nodeId: null, clusterId: null };
  const kept = previous?.kind === 'node' ? previous : null;
  return { kind: 'node', nodeId: kept?.nodeId ?? null, clusterId: imageCluster ?? kept?.clusterId ?? null };
}

/** True when a running process (a node, or a single-node session) holds `dir`'s database open. */
export async function dataDirInUse(dir: string): Promise<boolean> {
  const paths = nodePaths(dir);
  return await levelDirInUse(existsSync(paths.wal) ? paths.state : dir);
}

/** The checked header (magic, version, header checksum) of backup file `input`. */
export async function readBackupMeta(input: string): Promise<BackupMeta> {
  const stream = createReadStream(input);
  try {
    return (await readHeader(stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>, input)).meta;
  } finally {
    stream.destroy();
  }
}

async function readHeader(
  chunks: AsyncIterator<Buffer>,
  input: string,
): Promise<{ meta: BackupMeta; rest: Buffer }> {
  let buffer = Buffer.alloc(0);
  const need = async (length: number): Promise<void> => {
    while (buffer.length < length) {
      const next = await chunks.next();
      if (next.done === true) {
        throw new ChronosError('CORRUPTION', `backup ${input} is truncated at offset ${buffer.length}`);
      }
      buffer = Buffer.concat([buffer, next.value]);
    }
  };
  await need(MAGIC.length + 8);
  if (!buffer.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ChronosError('CORRUPTION', `${input} is not a ChronosDB backup (bad magic at offset 0)`);
  }
  const version = buffer.readUInt32BE(MAGIC.length);
  if (version !== VERSION) {
    throw new ChronosError('CORRUPTION', `backup ${input} has unsupported version ${version}`);
  }
  const metaLength = buffer.readUInt32BE(MAGIC.length + 4);
  if (metaLength > 1024 * 1024) {
    throw new ChronosError('CORRUPTION', `backup ${input} has an implausible header length ${metaLength}`);
  }
  const metaStart = MAGIC.length + 8;
  await need(metaStart + metaLength + 4);
  const metaBytes = buffer.subarray(metaStart, metaStart + metaLength);
  const storedCrc = buffer.readUInt32BE(metaStart + metaLength);
  if ((crc32(metaBytes) >>> 0) !== storedCrc) {
    throw new ChronosError('CORRUPTION', `backup ${input}: header checksum mismatch at offset ${metaStart + metaLength}`);
  }
  const meta = parseMeta(metaBytes.toString('utf8'), input);
  return { meta, rest: buffer.subarray(metaStart + metaLength + 4) };
}

function parseMeta(text: string, input: string): BackupMeta {
  const value: unknown = JSON.parse(text);
  const bad = (): never => {
    throw new ChronosError('CORRUPTION', `backup ${input}: malformed header`);
  };
  if (typeof value !== 'object' || value === null) return bad();
  const record = value as Record<string, unknown>;
  const { kind, index, term, voters, createdAtMs } = record;
  if (kind !== 'node' && kind !== 'single') return bad();
  if (typeof index !== 'number' || typeof term !== 'number' || typeof createdAtMs !== 'number') return bad();
  if (!Array.isArray(voters) || !voters.every((v) => typeof v === 'string')) return bad();
  return { kind, index, term, voters: voters as string[], createdAtMs };
}

async function* remaining(first: Buffer, chunks: AsyncIterator<Buffer>): AsyncIterable<Uint8Array> {
  if (first.length > 0) yield first;
  for (;;) {
    const next = await chunks.next();
    if (next.done === true) return;
    yield next.value;
  }
}
