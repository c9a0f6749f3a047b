import type { Random } from '../../src/lib/index.js';

// Random write statements that both ChronosDB and sqlite3 accept and execute alike, generated
// against a model of the schema so every statement is valid when it runs. The differential
// test runs the same script on both and compares every table after every statement.

type ColumnType = 'INT' | 'FLOAT' | 'STRING';

interface ModelColumn {
  name: string;
  readonly type: ColumnType;
}

interface ModelTable {
  name: string;
  readonly columns: ModelColumn[];
  /** Keyed tables have `id INT PRIMARY KEY` first; the others get hidden row ids. */
  readonly keyed: boolean;
}

/** The schema as the script has changed it so far, and a generator of the next statement. */
export class WriteScript {
  readonly tables: ModelTable[] = [
    table('t', true), table('h', true), { name: 'log', keyed: false, columns: [col('g', 'INT'), col('v', 'FLOAT')] },
  ];
  #names = 0;
  /** Secondary indexes (one column each): sqlite3 refuses to drop an indexed column. */
  readonly indexes: { readonly name: string; readonly table: ModelTable; readonly column: ModelColumn }[] = [];
  /** Above every id any keyed table holds: new keys are taken from here. */
  #maxId = 100;
  /**
   * Statements that insert keys the table holds, without ON CONFLICT: ChronosDB must refuse them
   * (DUPLICATE_KEY, the transaction goes on) or insert nothing (an empty table); sqlite3, which
   * stops at an error, is not given them (a refused statement changes nothing in either).
   */
  readonly duplicates = new Set<string>();

  constructor(readonly rng: Random) {}

  /** CREATE TABLE and initial rows. */
  setup(): string[] {
    const out: string[] = [];
    for (const t of this.tables) {
      const columns = t.columns.map((c) => `${c.name} ${c.type}${t.keyed && c.name === 'id' ? ' PRIMARY KEY' : ''}`);
      out.push(`CREATE TABLE ${t.name} (${columns.join(', ')})`);
      const rows = Array.from({ length: t.keyed ? 20 : 8 }, (_, i) => `(${this.values(t, t.keyed ? i * 3 : null).join(', ')})`);
      out.push(`INSERT INTO ${t.name} VALUES ${rows.join(', ')}`);
    }
    return out;
  }

  /** `SELECT *` of every table (compared as multisets: the engines order NULLs differently). */
  snapshots(): string[] {
    const lowest: Record<ColumnType, string> = { INT: '-1000', FLOAT: '-1000.5', STRING: "''" };
    // A range on an indexed column: the planner reads it through the index.
    const ranges = this.indexes.map((i) => `SELECT * FROM ${i.table.name} WHERE ${i.column.name} >= ${lowest[i.column.type]}`);
    // Aggregates read columnar tables as column batches (head rows, whole blocks, shadowed
    // blocks): count, min and max have one answer whatever order rows arrive in.
    const aggregates = this.tables.map((t) => {
      const columns = t.columns.map((c) => `count(${c.name}), min(${c.name}), max(${c.name})`);
      return `SELECT count(*), ${columns.join(', ')} FROM ${t.name}`;
    });
    const groups = this.tables.map((t) => {
      const by = this.rng.pick(this.dataColumns(t)).name;
      return `SELECT ${by}, count(*), max(${this.rng.pick(t.columns).name}) FROM ${t.name} GROUP BY ${by}`;
    });
    return [...this.tables.map((t) => `SELECT * FROM ${t.name}`), ...ranges, ...aggregates, ...groups];
  }

  /** The next statement; it changes the model when it changes the schema. */
  next(): string {
    return this.rng.pick([
      () => this.addColumn(), () => this.dropColumn(), () => this.renameColumn(), () => this.renameTable(),
      () => this.insertValues(), () => this.insertValues(), () => this.update(), () => this.remove(),
      () => this.insertSelect(), () => this.insertSelect(), () => this.upsert(), () => this.upsert(),
      () => this.createIndex(), () => this.dropIndex(), () => this.correlated(), () => this.correlated(),
      () => this.dedupe(), () => this.transaction(),
    ])();
  }

  /**
   * BEGIN, two to four writes, COMMIT: often a DROP or ADD COLUMN of a keyed table (which
   * rewrites every row) followed by its highest keys inserted again ON CONFLICT DO NOTHING
   * (they exist: nothing may change), so a write after the rewrite, in the same transaction,
   * must still find the stored keys (and, plainly inserted again, be refused: see
   * `duplicates`); then upserts, inserts, updates, deletes.
   */
  transaction(): string {
    const body: string[] = [];
    if (this.rng.chance(0.6)) {
      const t = this.pickTable(true);
      body.push(this.rng.chance(0.7) ? this.dropColumn(t) : this.addColumn(t));
      body.push(`INSERT INTO ${t.name} SELECT * FROM ${t.name} WHERE id >= (SELECT max(id) - ${this.rng.between(0, 6)} FROM ${t.name}) ` +
        'ON CONFLICT (id) DO NOTHING');
      if (this.rng.chance(0.5)) {
        // Without ON CONFLICT the same keys must be refused, and the transaction goes on.
        const duplicate = `INSERT INTO ${t.name} SELECT * FROM ${t.name} WHERE id = (SELECT max(id) FROM ${t.name})`;
        this.duplicates.add(duplicate);
        body.push(duplicate);
      }
    }
    for (let n = this.rng.between(1, 3); n > 0; n--) {
      body.push(this.rng.pick([() => this.upsert(), () => this.upsert(), () => this.insertValues(),
        () => this.update(), () => this.remove(), () => this.insertSelect()])());
    }
    return ['BEGIN', ...body, 'COMMIT'].join('; ');
  }

  value(type: ColumnType): string {
    return this.rng.chance(0.15) ? 'NULL' : this.nonNull(type);
  }

  nonNull(type: ColumnType): string {
    switch (type) {
      case 'INT':
        return String(this.rng.between(-20, 20));
      case 'FLOAT':
        return `${this.rng.between(-20, 20)}.${this.rng.pick(['0', '25', '5'])}`;
      case 'STRING':
        return `'${this.rng.pick(['a', 'b', 'ab', ''])}'`;
    }
  }

  /** A row's values in column order; `id` (keyed tables) is given. */
  values(t: ModelTable, id: number | null): string[] {
    return t.columns.map((c) => (t.keyed && c.name === 'id' ? String(id) : this.value(c.type)));
  }

  pickTable(keyed?: boolean): ModelTable {
    return this.rng.pick(this.tables.filter((t) => keyed === undefined || t.keyed === keyed));
  }

  /** A column that is not the key. */
  dataColumns(t: ModelTable): ModelColumn[] {
    return t.columns.filter((c) => !(t.keyed && c.name === 'id'));
  }

  #freshName(prefix: string): string {
    return `${prefix}${++this.#names}`;
  }

  addColumn(t = this.pickTable()): string {
    const c = col(this.#freshName('c'), this.rng.pick(['INT', 'FLOAT', 'STRING'] as const));
    t.columns.push(c);
    return `ALTER TABLE ${t.name} ADD ${this.rng.chance(0.5) ? 'COLUMN ' : ''}${c.name} ${c.type}`;
  }

  createIndex(): string {
    const t = this.pickTable();
    const column = this.rng.pick(this.dataColumns(t));
    const name = this.#freshName('ix');
    this.indexes.push({ name, table: t, column });
    return `CREATE INDEX ${name} ON ${t.name} (${column.name})`;
  }

  dropIndex(): string {
    const index = this.indexes.length === 0 ? undefined : this.rng.pick(this.indexes);
    if (index === undefined) return this.createIndex();
    this.indexes.splice(this.indexes.indexOf(index), 1);
    return `DROP INDEX ${index.name}`;
  }

  dropColumn(t = this.pickTable()): string {
    const indexed = new Set(this.indexes.map((i) => i.column));
    const candidates = this.dataColumns(t).filter((c) => !indexed.has(c));
    if (candidates.length < 2) return this.addColumn(t);
    const c = this.rng.pick(candidates);
    t.columns.splice(t.columns.indexOf(c), 1);
    return `ALTER TABLE ${t.name} DROP ${this.rng.chance(0.5) ? 'COLUMN ' : ''}${c.name}`;
  }

  renameColumn(): string {
    const t = this.pickTable();
    const c = this.rng.pick(this.dataColumns(t));
    const from = c.name;
    c.name = this.#freshName('r');
    return `ALTER TABLE ${t.name} RENAME ${this.rng.chance(0.5) ? 'COLUMN ' : ''}${from} TO ${c.name}`;
  }

  renameTable(): string {
    const t = this.pickTable();
    const from = t.name;
    t.name = this.#freshName(from.replace(/\d+$/, ''));
    return `ALTER TABLE ${from} RENAME TO ${t.name}`;
  }

  insertValues(): string {
    const t = this.pickTable();
    const rows = Array.from({ length: this.rng.between(1, 3) }, () =>
      `(${this.values(t, t.keyed ? ++this.#maxId : null).join(', ')})`);
    return `INSERT INTO ${t.name} VALUES ${rows.join(', ')}`;
  }

  /**
   * `INSERT INTO dst (cols) SELECT ... FROM src WHERE ...`, often dst = src. Keyed targets get
   * `id + offset` from a keyed source, the offset above every id, so keys never collide.
   */
  insertSelect(): string {
    const dst = this.pickTable();
    const src = dst.keyed ? this.pickTable(true) : this.pickTable();
    const targets: string[] = [];
    const sources: string[] = [];
    if (dst.keyed) {
      targets.push('id');
      const offset = this.#maxId + 1;
      this.#maxId = offset * 2;
      sources.push(`id + ${offset}`);
    }
    for (const c of this.dataColumns(dst)) {
      if (this.rng.chance(0.3)) continue;
      const same = src.columns.filter((s) => s.type === c.type);
      targets.push(c.name);
      const ranked = c.type !== 'STRING' && src.keyed && this.rng.chance(0.2);
      sources.push(ranked ? `${this.rng.pick(['row_number', 'rank'])}() OVER (ORDER BY id DESC)`
        : same.length > 0 && this.rng.chance(0.8) ? this.rng.pick(same).name : this.nonNull(c.type));
    }
    if (targets.length === 0) return this.insertValues();
    const where = ` WHERE ${this.condition(src)}`;
    const insert = `INSERT INTO ${dst.name} (${targets.join(', ')})`;
    // The source as a WITH query, before the INSERT or inside it.
    const cte = `WITH src_rows AS (SELECT * FROM ${src.name}${where})`;
    return this.rng.pick([
      () => `${insert} SELECT ${sources.join(', ')} FROM ${src.name}${where}`,
      () => `${cte} ${insert} SELECT ${sources.join(', ')} FROM src_rows`,
      () => `${insert} ${cte} SELECT ${sources.join(', ')} FROM src_rows`,
    ])();
  }

  /**
   * `INSERT ... ON CONFLICT (id) DO NOTHING | DO UPDATE SET ... [WHERE ...]` into a keyed table,
   * with keys that often exist (never one key twice when updating: PostgreSQL refuses that).
   */
  upsert(): string {
    const t = this.pickTable(true);
    const update = this.rng.chance(0.6);
    let source: string;
    if (this.rng.chance(0.3)) {
      const src = this.pickTable(true);
      const sources = t.columns.map((c) => {
        if (c.name === 'id') return 'id';
        const same = src.columns.filter((s) => s.type === c.type && s.name !== 'id');
        return same.length > 0 ? this.rng.pick(same).name : this.value(c.type);
      });
      source = `SELECT ${sources.join(', ')} FROM ${src.name} WHERE ${this.condition(src)}`;
    } else {
      const ids = new Set(Array.from({ length: this.rng.between(1, 4) }, () => this.rng.between(0, 70)));
      const keys = update ? [...ids] : [...ids, ...ids];
      source = `VALUES ${keys.map((id) => `(${this.values(t, id).join(', ')})`).join(', ')}`;
    }
    return `INSERT INTO ${t.name} ${source} ON CONFLICT (id) DO ${update ? this.#conflictUpdate(t) : 'NOTHING'}`;
  }

  #conflictUpdate(t: ModelTable): string {
    const columns = this.dataColumns(t).filter(() => this.rng.chance(0.6));
    const chosen = columns.length > 0 ? columns : [this.rng.pick(this.dataColumns(t))];
    const sets = chosen.map((c) => {
      const mine = `${t.name}.${c.name}`;
      const theirs = `excluded.${c.name}`;
      const options = [theirs, mine, this.value(c.type)];
      if (c.type !== 'STRING') options.push(`${mine} + ${theirs}`, `coalesce(${theirs}, ${mine})`);
      return `${c.name} = ${this.rng.pick(options)}`;
    });
    const guard = this.rng.pick(this.dataColumns(t));
    const where = this.rng.chance(0.4)
      ? ` WHERE ${this.rng.pick([`${t.name}.${guard.name}`, `excluded.${guard.name}`])} IS ${this.rng.pick(['', 'NOT '])}NULL`
      : '';
    return `UPDATE SET ${sets.join(', ')}${where}`;
  }

  /** A condition on the key (keyed) or on any column, both engines agree on. */
  condition(t: ModelTable): string {
    if (t.keyed && this.rng.chance(0.7)) return `id % ${this.rng.between(2, 5)} = ${this.rng.between(0, 1)}`;
    const c = this.rng.pick(t.columns);
    return this.rng.chance(0.3) ? `${c.name} IS NULL` : `${c.name} = ${this.nonNull(c.type)}`;
  }

  update(): string {
    const t = this.pickTable();
    const c = this.rng.pick(this.dataColumns(t));
    return `UPDATE ${t.name} SET ${c.name} = ${this.value(c.type)} WHERE ${this.condition(t)}`;
  }

  remove(): string {
    const t = this.pickTable();
    return `DELETE FROM ${t.name} WHERE ${this.condition(t)}`;
  }

  /** Keeps the highest id per value of one column: a DELETE through a window in a derived table. */
  dedupe(): string {
    const t = this.pickTable(true);
    const by = this.rng.pick(this.dataColumns(t));
    const ranked = `SELECT id, row_number() OVER (PARTITION BY ${by.name} ORDER BY id DESC) AS n FROM ${t.name}`;
    const n = this.rng.between(1, 3);
    return this.rng.pick([
      () => `DELETE FROM ${t.name} WHERE id IN (SELECT d.id FROM (${ranked}) AS d WHERE d.n > ${n})`,
      // The same through a WITH query that the DELETE's subquery names.
      () => `WITH d AS (${ranked}) DELETE FROM ${t.name} WHERE id IN (SELECT d.id FROM d WHERE d.n > ${n})`,
      () => `WITH d AS (${ranked}) UPDATE ${t.name} SET ${by.name} = NULL WHERE id IN (SELECT id FROM d WHERE n = ${n})`,
    ])();
  }

  /** UPDATE or DELETE of one table whose WHERE or SET holds a subquery naming its row. */
  correlated(): string {
    const a = this.pickTable();
    const b = this.rng.pick(this.tables.filter((t) => t !== a));
    const pair = (types?: ColumnType): [ModelColumn, ModelColumn] | null => {
      const options = a.columns.flatMap((ca) => b.columns.filter((cb) => cb.type === ca.type && (types === undefined || ca.type === types))
        .map((cb): [ModelColumn, ModelColumn] => [ca, cb]));
      return options.length === 0 ? null : this.rng.pick(options);
    };
    const key = pair();
    if (b === undefined || key === null) return this.remove();
    const [ca, cb] = key;
    const link = `${b.name}.${cb.name} ${this.rng.pick(['=', '<', '>='])} ${a.name}.${ca.name}`;
    const not = this.rng.chance(0.5) ? 'NOT ' : '';
    const target = this.rng.pick(this.dataColumns(a));
    const source = b.columns.find((c) => c.type === target.type);
    return this.rng.pick([
      () => `DELETE FROM ${a.name} WHERE ${not}EXISTS (SELECT 1 FROM ${b.name} WHERE ${link})`,
      () => `DELETE FROM ${a.name} WHERE ${ca.name} ${not}IN (SELECT ${cb.name} FROM ${b.name} WHERE ${link})`,
      () => `UPDATE ${a.name} SET ${target.name} = ${source === undefined ? this.value(target.type)
        : `(SELECT max(${b.name}.${source.name}) FROM ${b.name} WHERE ${link})`} WHERE ${not}EXISTS (SELECT 1 FROM ${b.name} WHERE ${link})`,
    ])();
  }
}

function col(name: string, type: ColumnType): ModelColumn {
  return { name, type };
}

function table(name: string, keyed: boolean): ModelTable {
  return { name, keyed, columns: [col('id', 'INT'), col('g', 'INT'), col('v', 'FLOAT'), col('s', 'STRING')] };
}
