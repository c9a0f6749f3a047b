import type { AlterTableAction, Statement } from './ast.js';
import { columnDefinition } from './column-definition.js';
import { unsupported, type Cursor } from './cursor.js';

/**
 * `ALTER TABLE t ADD [COLUMN] [IF NOT EXISTS] c TYPE [NOT NULL]`, `... DROP [COLUMN] [IF EXISTS]
 * c`, `... RENAME TO u`, `... RENAME [COLUMN] a TO b`: one action per statement.
 */
export function parseAlterTable(c: Cursor): Statement {
  c.expectWord('ALTER');
  const target = c.peek();
  if (target?.kind === 'word' && target.value !== 'TABLE') {
    throw unsupported(`ALTER ${target.value} statements`);
  }
  c.expectWord('TABLE');
  if (c.isWord('IF')) throw unsupported('ALTER TABLE IF EXISTS');
  if (c.isWord('ONLY')) throw unsupported('ALTER TABLE ONLY');
  const table = c.identifier('a table name');
  if (c.isSymbol('.')) throw unsupported('schema-qualified table names');
  const action = alterAction(c);
  if (c.isSymbol(',')) throw unsupported('several ALTER TABLE actions in one statement');
  c.expectEnd();
  return { kind: 'alterTable', table, action };
}

function alterAction(c: Cursor): AlterTableAction {
  if (c.acceptWord('ADD')) {
    refuseConstraint(c);
    c.acceptWord('COLUMN');
    const ifNotExists = c.acceptWord('IF') && (c.expectWord('NOT'), c.expectWord('EXISTS'), true);
    const column = columnDefinition(c);
    if (column.primaryKey) throw unsupported('ALTER TABLE ... ADD COLUMN ... PRIMARY KEY');
    return { kind: 'addColumn', column, ifNotExists };
  }
  if (c.acceptWord('DROP')) {
    refuseConstraint(c);
    c.acceptWord('COLUMN');
    const ifExists = c.acceptWord('IF') && (c.expectWord('EXISTS'), true);
    const column = c.identifier('a column name');
    if (c.isWord('CASCADE') || c.isWord('RESTRICT')) {
      throw unsupported(`ALTER TABLE ... DROP COLUMN ... ${c.next().value}`);
    }
    return { kind: 'dropColumn', column, ifExists };
  }
  if (c.acceptWord('RENAME')) {
    if (c.acceptWord('TO')) return { kind: 'renameTable', to: c.identifier('a table name') };
    refuseConstraint(c);
    c.acceptWord('COLUMN');
    const from = c.identifier('a column name');
    c.expectWord('TO');
    return { kind: 'renameColumn', from, to: c.identifier('a column name') };
  }
  const t = c.peek();
  if (t?.kind === 'word') throw unsupported(`ALTER TABLE ... ${t.value}`);
  throw c.fail('expected ADD, DROP or RENAME');
}

function refuseConstraint(c: Cursor): void {
  for (const word of ['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN']) {
    if (c.isWord(word)) throw unsupported(`ALTER TABLE ... ${word}`);
  }
}
