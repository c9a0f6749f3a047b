import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTarget } from '../../src/cli/local-target.js';
import type { SqlTarget } from '../../src/cli/sql-target.js';
import type { StatementResult } from '../../src/sql/result.js';

/**
 * The real embedded engine in a temp dir, recording the statements the front end sent to it
 * (what the REPL split and joined), so front-end tests check real answers, not canned ones.
 */
export class RecordingTarget implements SqlTarget {
  readonly executed: string[] = [];
  readonly #inner: LocalTarget;
  readonly #dir: string;

  private constructor(inner: LocalTarget, dir: string) {
    this.#inner = inner;
    this.#dir = dir;
  }

  /** A fresh database; with `guideRow`, the guide's `sensors` table and its one row. */
  static async open(options: { guideRow: boolean }): Promise<RecordingTarget> {
    const dir = await mkdtemp(join(tmpdir(), 'chronos-cli-'));
    const inner = await LocalTarget.open(dir);
    if (options.guideRow) {
      await inner.execute('CREATE TABLE sensors (id INT, temp FLOAT, device STRING)');
      await inner.execute("INSERT INTO sensors (id, temp, device) VALUES (1, 25.5, 'sensor-01')");
    }
    return new RecordingTarget(inner, dir);
  }

  async execute(sql: string): Promise<StatementResult> {
    this.executed.push(sql);
    return this.#inner.execute(sql);
  }

  /** Closes the engine and removes its dir. */
  async close(): Promise<void> {
    await this.#inner.close();
    await rm(this.#dir, { recursive: true, force: true });
  }
}
