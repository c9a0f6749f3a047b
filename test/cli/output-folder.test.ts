import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertOutputFolder } from '../../src/cli/output-folder.js';

const dir = mkdtempSync(join(tmpdir(), 'chronos-output-folder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('assertOutputFolder', () => {
  it('names the folder whether it is missing, a file, or under a file', () => {
    writeFileSync(join(dir, 'plain'), 'x');
    expect(() => assertOutputFolder(join(dir, 'out.snap'), '-o')).not.toThrow();
    expect(() => assertOutputFolder(join(dir, 'none', 'out.snap'), '-o'))
      .toThrow(`the output folder '${join(dir, 'none')}' does not exist (-o ${join(dir, 'none', 'out.snap')})`);
    expect(() => assertOutputFolder(join(dir, 'plain', 'out.snap'), '-o'))
      .toThrow(`the output folder '${join(dir, 'plain')}' is not a folder`);
    // A parent that is a file: stat fails with ENOTDIR rather than answering "missing".
    expect(() => assertOutputFolder(join(dir, 'plain', 'sub', 'out.snap'), '--output'))
      .toThrow(`the output folder '${join(dir, 'plain', 'sub')}' cannot be used (ENOTDIR) (--output`);
  });
});
