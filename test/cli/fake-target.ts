import type { StatementResult } from '../../src/sql/result.js';
import type { CliIo, SqlTarget } from '../../src/cli/sql-target.js';
import { ChronosError } from '../../src/lib/errors.js';

/** A SqlTarget that answers the guide's statements and fails any statement containing BOOM. */
export class FakeTarget implements SqlTarget {
  readonly executed: string[] = [];
  closed = 0;

  async execute(sql: string): Promise<StatementResult> {
    this.executed.push(sql);
    if (sql.includes('BOOM')) {
      throw new ChronosError('PARSE_ERROR', "Parse error: unexpected 'BOOM' at line 1\ncolumn 8");
    }
    if (sql.startsWith('CREATE TABLE')) {
      return { kind: 'message', message: 'Table sensors created', rowsAffected: 0 };
    }
    if (sql.startsWith('INSERT')) {
      return { kind: 'message', message: 'Inserted into sensors', rowsAffected: 1 };
    }
    return {
      kind: 'rows', columns: ['id', 'temp', 'device'], columnTypes: ['INT', 'FLOAT', 'STRING'],
      rows: [[1, 25.5, 'sensor-01']],
    };
  }

  async close(): Promise<void> {
    this.closed += 1;
  }
}

/** A CliIo that collects what is written. */
export class BufferIo implements CliIo {
  out = '';
  err = '';
  readonly stdout = { write: (text: string): boolean => { this.out += text; return true; } };
  readonly stderr = { write: (text: string): boolean => { this.err += text; return true; } };
}
