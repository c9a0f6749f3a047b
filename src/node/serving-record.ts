import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A running node leaves this file in its dir saying where its admin HTTP server listens, so
 * `chronos snapshot create -d DIR` (the guide's hourly cron job) can back up a running node
 * through `GET /snapshot` instead of failing on files the node holds open. Advisory only: a
 * node killed with -9 leaves it behind, and whoever reads it checks the dir's lock first.
 */
const SERVING_FILE = 'serving.json';

/** How to reach a running node's admin HTTP server. */
export interface ServingRecord {
  readonly pid: number;
  /** `HOST:PORT` to connect to (a wildcard listen address is recorded as loopback). */
  readonly admin: string;
  readonly https: boolean;
}

/** Records that this process serves `nodeDir`'s node; replaces an older record. */
export function writeServingRecord(nodeDir: string, record: ServingRecord): void {
  const path = join(nodeDir, SERVING_FILE);
  const staging = `${path}.${process.pid}`;
  writeFileSync(staging, JSON.stringify(record) + '\n');
  renameSync(staging, path);
}

/** The record `nodeDir` holds, or null when there is none or it is unreadable. */
export function readServingRecord(nodeDir: string): ServingRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(join(nodeDir, SERVING_FILE), 'utf8'));
  } catch {
    // Missing, half-written by a crash, or not ours: there is no running node to ask.
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { pid, admin, https } = value as Record<string, unknown>;
  if (typeof pid !== 'number' || typeof admin !== 'string' || typeof https !== 'boolean') return null;
  return { pid, admin, https };
}

/** Removes the record at a clean stop. */
export function removeServingRecord(nodeDir: string): void {
  rmSync(join(nodeDir, SERVING_FILE), { force: true });
}
