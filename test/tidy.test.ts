import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

/** Which top-level folders each folder may import from (docs/architecture.md). */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  lib: [],
  raft: ['lib'],
  wal: ['lib', 'raft'],
  storage: ['lib'],
  sql: ['lib', 'storage'],
  ingest: ['lib', 'storage'],
  sync: ['lib', 'storage', 'sql'],
  transport: ['lib', 'raft', 'sql', 'storage'],
  // api/ sits above node/: its surfaces call the driver. Its gRPC handlers still take
  // transport/'s handler types until the client services move out of transport/.
  api: ['lib', 'node', 'sql', 'sync', 'transport'],
  node: ['lib', 'raft', 'wal', 'storage', 'sql', 'ingest', 'sync', 'transport'],
  // The simulation runs the real driver: it builds nodes from every layer below cli/.
  sim: ['lib', 'raft', 'wal', 'storage', 'sql', 'transport', 'node'],
  cli: ['lib', 'raft', 'wal', 'storage', 'sql', 'ingest', 'sync', 'transport', 'api', 'node'],
  bench: ['lib', 'raft', 'wal', 'storage', 'sql', 'ingest', 'sync', 'transport', 'api', 'node'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const files = sourceFiles(SRC).map((path) => {
  const rel = relative(SRC, path);
  return { rel, folder: rel.split(sep)[0] ?? '', text: readFileSync(path, 'utf8') };
});

describe('tidy: the architecture the docs describe', () => {
  it('every source file lives in a known folder', () => {
    for (const file of files) expect(Object.keys(MAY_IMPORT), file.rel).toContain(file.folder);
  });

  it('imports point down the folder table only', () => {
    const violations: string[] = [];
    for (const file of files) {
      const depth = file.rel.split(sep).length - 1;
      for (const match of file.text.matchAll(/from '((?:\.\.\/)+)([a-z-]+)\//g)) {
        const ups = (match[1] ?? '').length / 3;
        if (ups !== depth) continue; // a sibling inside the same folder tree
        const target = match[2] ?? '';
        if (target !== file.folder && !(MAY_IMPORT[file.folder] ?? []).includes(target)) {
          violations.push(`${file.rel} imports ${target}/`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps the Raft core free of time, randomness and I/O', () => {
    const banned = /Math\.random\(|Date\.now\(|performance\.now\(|setTimeout\(|setInterval\(|setImmediate\(|from 'node:/;
    const offenders = files
      .filter((file) => file.folder === 'raft' && banned.test(file.text))
      .map((file) => file.rel);
    expect(offenders).toEqual([]);
  });

  it('keeps files small enough to read in one sitting', () => {
    const large = files
      .map((file) => ({ rel: file.rel, lines: file.text.split('\n').length }))
      .filter((file) => file.lines > 600);
    expect(large).toEqual([]);
  });
});
