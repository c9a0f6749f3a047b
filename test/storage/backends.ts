import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLevel } from 'memory-level';
import { openStorage } from '../../src/storage/index.js';
import type { LayoutOptions, StorageEngine, TableDefinition } from '../../src/storage/index.js';
import { TINY_COLUMNAR_LAYOUT } from '../helpers/test-layout.js';

/** One place the engine can live; `reopen` closes and opens the same data again. */
export interface Backend {
  readonly name: string;
  open(): Promise<StorageEngine>;
  /** Remove every trace (temp dirs). */
  dispose(): Promise<void>;
}

/** A fresh classic-level backend in a temp dir. */
export async function classicBackend(layout?: LayoutOptions): Promise<Backend> {
  const dir = await mkdtemp(join(tmpdir(), 'chronos-storage-'));
  return {
    name: 'classic-level',
    open: () => openStorage(layout === undefined ? { dir } : { dir, layout }),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A fresh, empty memory-level database with the engine's byte encodings. */
export function newMemoryLevel(): MemoryLevel<Uint8Array, Uint8Array> {
  return new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
}

/** A fresh memory-level backend; the same instance survives close/open. */
export async function memoryBackend(layout?: LayoutOptions): Promise<Backend> {
  const level = new MemoryLevel<Uint8Array, Uint8Array>({
    keyEncoding: 'view',
    valueEncoding: 'view',
  });
  return {
    name: 'memory-level',
    open: () => openStorage(layout === undefined ? { level } : { level, layout }),
    dispose: async () => undefined,
  };
}


export const BACKENDS: readonly { readonly name: string; readonly make: () => Promise<Backend> }[] =
  [
    { name: 'classic-level', make: () => classicBackend() },
    { name: 'memory-level', make: () => memoryBackend() },
    // Tiny blocks and head: nearly every commit folds, so head/block merging is always exercised.
    { name: 'classic-level, tiny blocks', make: () => classicBackend(TINY_COLUMNAR_LAYOUT) },
    { name: 'memory-level, tiny blocks', make: () => memoryBackend(TINY_COLUMNAR_LAYOUT) },
    // The same with Chimp for FLOAT columns the decimal codec does not take (CHRONOS_CHIMP_ENABLE).
    { name: 'memory-level, tiny blocks, Chimp', make: () => memoryBackend({ ...TINY_COLUMNAR_LAYOUT, floatCompression: 'chimp' }) },
  ];

/** Every row a scan yields, flattened. */
export async function collect<T>(batches: AsyncIterable<readonly T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of batches) out.push(...batch);
  return out;
}

/** A columnar table of readings keyed by (device, ts): folds and compaction tests load it. */
export const COLUMNAR_READINGS: TableDefinition = {
  name: 'readings',
  columns: [
    { name: 'device', type: 'STRING', notNull: true },
    { name: 'ts', type: 'INT', notNull: true },
    { name: 'v', type: 'FLOAT', notNull: false },
  ],
  primaryKey: ['device', 'ts'],
  ttlMs: null,
  layout: 'columnar',
};

/** Readings keyed by (device, ts) that expire 1 s after insertion, indexed by tests as they need. */
export const EXPIRING_EVENTS: TableDefinition = { ...COLUMNAR_READINGS, name: 'events', ttlMs: 1_000 };
