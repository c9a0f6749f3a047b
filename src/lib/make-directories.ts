import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/**
 * Creates `dir` and its missing parents, as `mkdir -p` (blocking: a few system calls, at start-up
 * or when a store is first made). Node's own `{ recursive: true }` never returns under a parent
 * that exists but takes no children and answers ENOENT (`/proc/x`): it makes the parent again
 * and again, and a node started with such a `-d` spun a core without a word.
 */
export function makeDirectories(dir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    try {
      // A file where a directory must be: mkdir says so in the system's own words (EEXIST).
      if (!statSync(at).isDirectory()) mkdirSync(at);
      break;
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      missing.push(at);
    }
    if (dirname(at) === at) break;
  }
  for (const path of missing.reverse()) {
    try {
      mkdirSync(path);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
  }
}
