import type { CliIo } from '../../src/cli/sql-target.js';

/** A CliIo that collects what is written. */
export class BufferIo implements CliIo {
  out = '';
  err = '';
  readonly stdout = { write: (text: string): boolean => { this.out += text; return true; } };
  readonly stderr = { write: (text: string): boolean => { this.err += text; return true; } };
}
