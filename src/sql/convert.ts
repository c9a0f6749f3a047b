import { ChronosError } from '../lib/index.js';
import type {
  AggregateName,
  BinaryOp,
  Expr,
  Join,
  OrderItem,
  SelectItem,
  Statement,
  TableRef,
} from './ast.js';
import { negateLiteral, numberLiteral, stringLiteral } from './literals.js';
import { printExpr } from './print.js';

type Obj = Readonly<Record<string, unknown>>;

function unsupported(what: string): ChronosError {
  return new ChronosError('UNSUPPORTED', `Unsupported: ${what}`);
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown, what: string): Obj {
  if (!isObj(value)) throw unsupported(what);
  return value;
}

function arr(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function present(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObj(value)) return Object.values(value).some(present);
  return true;
}

/** An identifier node: a plain string or `{type:'default', value}` / `{expr:{value}}`. */
function ident(value: unknown, what: string): string {
  if (typeof value === 'string') return value.toLowerCase();
  if (isObj(value)) {
    if (typeof value['value'] === 'string') return value['value'].toLowerCase();
    if (value['expr'] !== undefined) return ident(value['expr'], what);
  }
  throw unsupported(what);
}

const BINARY: Readonly<Record<string, BinaryOp>> = {
  '+': '+', '-': '-', '*': '*', '/': '/', '%': '%', '||': '||',
  '=': '=', '!=': '!=', '<>': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
  AND: 'AND', OR: 'OR', '&&': 'AND',
};

const AGGREGATES: ReadonlySet<string> = new Set([
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'avg_1h',
  'avg_24h',
  'avg_7d',
]);

/** Convert one node-sql-parser expression. */
export function convertExpr(node: unknown): Expr {
  const n = obj(node, 'expression');
  const type = String(n['type']);
  switch (type) {
    case 'param':
      return { kind: 'param', index: Number(String(n['value']).slice(1)) };
    case 'number':
    case 'bigint':
      return numberLiteral(String(n['value']));
    case 'single_quote_string':
    case 'string':
      return stringLiteral(String(n['value']));
    case 'bool':
      return { kind: 'literal', value: n['value'] === true, type: 'BOOLEAN' };
    case 'null':
      return { kind: 'literal', value: null, type: null };
    case 'column_ref': {
      const table = n['table'] === null || n['table'] === undefined ? null : ident(
        n['table'],
        'table name',
      );
      if (n['column'] === '*') throw unsupported("'*' outside SELECT list or COUNT(*)");
      return { kind: 'column', table, name: ident(n['column'], 'column name') };
    }
    case 'unary_expr': {
      const operand = convertExpr(n['expr']);
      const op = String(n['operator']).toUpperCase();
      if (op === '-') return negateLiteral(operand) ?? { kind: 'unary', op: '-', operand };
      if (op === '+') return operand;
      if (op === 'NOT' || op === '!') return { kind: 'unary', op: 'NOT', operand };
      throw unsupported(`operator ${op}`);
    }
    case 'binary_expr':
      return convertBinary(n);
    case 'expr_list': {
      const list = arr(n['value']);
      if (list.length === 1) return convertExpr(list[0]);
      throw unsupported('row value');
    }
    case 'aggr_func':
      return convertAggregate(n);
    case 'function':
      return convertFunction(n);
    default:
      if (n['ast'] !== undefined) throw unsupported('subqueries');
      throw unsupported(`expression ${type}`);
  }
}

function convertBinary(n: Obj): Expr {
  const op = String(n['operator']).toUpperCase();
  const left = convertExpr(n['left']);
  switch (op) {
    case 'IS':
    case 'IS NOT': {
      const right = obj(n['right'], 'IS operand');
      if (right['type'] !== 'null') throw unsupported(`${op} with anything but NULL`);
      return { kind: 'isNull', operand: left, negated: op === 'IS NOT' };
    }
    case 'IN':
    case 'NOT IN': {
      const right = obj(n['right'], 'IN list');
      if (right['type'] !== 'expr_list') throw unsupported('IN with a subquery');
      return {
        kind: 'in',
        operand: left,
        list: arr(right['value']).map(convertExpr),
        negated: op === 'NOT IN',
      };
    }
    case 'BETWEEN':
    case 'NOT BETWEEN': {
      const bounds = arr(obj(n['right'], 'BETWEEN bounds')['value']);
      if (bounds.length !== 2) throw unsupported('BETWEEN form');
      return {
        kind: 'between', operand: left, low: convertExpr(bounds[0]), high: convertExpr(bounds[1]),
        negated: op === 'NOT BETWEEN',
      };
    }
    case 'LIKE':
    case 'NOT LIKE':
      return {
        kind: 'like',
        operand: left,
        pattern: convertExpr(n['right']),
        negated: op === 'NOT LIKE',
      };
    default: {
      const mapped = BINARY[op];
      if (mapped === undefined) throw unsupported(`operator ${op}`);
      return { kind: 'binary', op: mapped, left, right: convertExpr(n['right']) };
    }
  }
}

function convertAggregate(n: Obj): Expr {
  const name = String(n['name']).toLowerCase();
  if (!AGGREGATES.has(name)) throw unsupported(`aggregate ${name}`);
  const args = obj(n['args'], 'aggregate arguments');
  if (present(n['over'])) throw unsupported('window functions');
  if (present(args['orderby'])) throw unsupported('ORDER BY inside an aggregate');
  const expr = obj(args['expr'], 'aggregate argument');
  const distinct = present(args['distinct']);
  if (expr['type'] === 'star') {
    if (name !== 'count') throw unsupported(`${name}(*)`);
    return { kind: 'aggregate', name: 'count', arg: null, distinct: false };
  }
  return { kind: 'aggregate', name: name as AggregateName, arg: convertExpr(expr), distinct };
}

function convertFunction(n: Obj): Expr {
  const nameNode = obj(n['name'], 'function name');
  const parts = arr(nameNode['name']);
  if (parts.length !== 1) throw unsupported('qualified function names');
  const name = ident(parts[0], 'function name');
  if (present(n['over'])) throw unsupported('window functions');
  const argsNode = n['args'];
  const args = isObj(argsNode) ? arr(argsNode['value']).map(convertExpr) : [];
  if (name === 'not' && args.length === 1) return {
    kind: 'unary',
    op: 'NOT',
    operand: args[0] as Expr,
  };
  if (AGGREGATES.has(name)) {
    if (args.length !== 1) {
      throw new ChronosError(
        'INVALID_ARGUMENT',
        `${name}() takes exactly one argument, got ${args.length}`,
      );
    }
    return {
      kind: 'aggregate',
      name: name as AggregateName,
      arg: args[0] as Expr,
      distinct: false,
    };
  }
  return { kind: 'call', name, args };
}

function convertTableRef(node: Obj): TableRef {
  if (node['expr'] !== undefined && node['table'] === undefined) {
    throw unsupported('subqueries in FROM');
  }
  if (present(node['db']) || present(node['schema'])) {
    throw unsupported('schema-qualified table names');
  }
  const alias = node['as'] === null || node['as'] === undefined ? null : ident(node['as'], 'alias');
  return { table: ident(node['table'], 'table name'), alias };
}

function convertSelect(n: Obj): Statement {
  for (const key of ['with', 'window', '_next', 'set_op', 'for_update', 'locking_read']) {
    if (!present(n[key])) continue;
    const setOperation = key === '_next' || key === 'set_op';
    throw unsupported(
      setOperation ? 'UNION/INTERSECT/EXCEPT' : key.toUpperCase().replace('_', ' '),
    );
  }
  if (isObj(n['into']) && present(n['into']['expr'])) throw unsupported('SELECT INTO');
  const distinctNode = n['distinct'];
  const distinct = isObj(distinctNode)
    ? distinctNode['type'] === 'DISTINCT'
    : distinctNode === 'DISTINCT';
  const items: SelectItem[] = arr(n['columns']).map((c) => {
    const col = obj(c, 'select item');
    const expr = obj(col['expr'], 'select item');
    if (expr['type'] === 'column_ref' && expr['column'] === '*') {
      const table = expr['table'] === null || expr['table'] === undefined ? null : ident(
        expr['table'],
        'table',
      );
      return { kind: 'star', table };
    }
    const converted = convertExpr(expr);
    const alias = col['as'] === null || col['as'] === undefined ? null : ident(col['as'], 'alias');
    return { kind: 'expr', expr: converted, name: alias ?? printExpr(converted) };
  });
  const fromList = arr(n['from']).map((f) => obj(f, 'FROM item'));
  let from: TableRef | null = null;
  const joins: Join[] = [];
  fromList.forEach((f, i) => {
    const ref = convertTableRef(f);
    if (i === 0) {
      from = ref;
      return;
    }
    const joinNode = f['join'];
    const kind = joinNode === undefined || joinNode === null
      ? 'CROSS'
      : String(joinNode).toUpperCase();
    if (kind !== 'INNER JOIN' && kind !== 'JOIN' && kind !== 'CROSS' && kind !== 'CROSS JOIN') {
      throw unsupported(`${kind} (only inner joins are supported)`);
    }
    const using = present(f['using']) ? arr(f['using']).map((u) => ident(u, 'USING column')) : null;
    const on = present(f['on']) ? convertExpr(f['on']) : null;
    joins.push({ table: ref, using, on });
  });
  const groupNode = n['groupby'];
  const groupBy = (isObj(groupNode) ? arr(groupNode['columns']) : arr(groupNode)).map(convertExpr);
  const orderBy: OrderItem[] = arr(n['orderby']).map((o) => {
    const item = obj(o, 'ORDER BY item');
    return {
      expr: convertExpr(item['expr']),
      descending: String(item['type']).toUpperCase() === 'DESC',
    };
  });
  let limit: Expr | null = null;
  let offset: Expr | null = null;
  if (isObj(n['limit'])) {
    const values = arr(n['limit']['value']).map(convertExpr);
    const sep = n['limit']['seperator'];
    if (sep === ',') {
      offset = values[0] ?? null;
      limit = values[1] ?? null;
    } else if (sep === 'offset' && values.length === 1) {
      offset = values[0] ?? null;
    } else {
      limit = values[0] ?? null;
      offset = values[1] ?? null;
    }
  }
  return {
    kind: 'select', distinct, items, from, joins,
    where: present(n['where']) ? convertExpr(n['where']) : null,
    groupBy, having: present(n['having']) ? convertExpr(n['having']) : null,
    orderBy, limit, offset,
  };
}

function singleTable(n: Obj, what: string): string {
  const tables = arr(n['table']);
  if (tables.length !== 1) throw unsupported(`${what} on several tables`);
  return convertTableRef(obj(tables[0], 'table')).table;
}

/** Convert a node-sql-parser statement (PostgreSQL dialect) into our AST; refuse the rest. */
export function convertStatement(node: unknown): Statement {
  const n = obj(
    Array.isArray(node) ? (node.length === 1 ? node[0] : undefined) : node,
    'several statements',
  );
  const type = String(n['type']);
  if (present(n['returning'])) throw unsupported('RETURNING');
  switch (type) {
    case 'select':
      return convertSelect(n);
    case 'insert': {
      if (present(n['on_duplicate_update']) || present(n['partition'])) {
        throw unsupported('INSERT options');
      }
      const values = obj(n['values'], 'INSERT source');
      if (values['type'] !== 'values') throw unsupported('INSERT ... SELECT');
      const rows = arr(values['values']).map((r) => arr(obj(
        r,
        'VALUES row',
      )['value']).map(convertExpr));
      const columns = present(n['columns']) ? arr(n['columns']).map((c) => ident(
        c,
        'column name',
      )) : null;
      return { kind: 'insert', table: singleTable(n, 'INSERT'), columns, rows };
    }
    case 'update': {
      if (present(n['from']) || present(n['with'])) throw unsupported('UPDATE ... FROM');
      const assignments = arr(n['set']).map((s) => {
        const set = obj(s, 'SET item');
        return { column: ident(set['column'], 'column name'), value: convertExpr(set['value']) };
      });
      return {
        kind: 'update', table: singleTable(n, 'UPDATE'), assignments,
        where: present(n['where']) ? convertExpr(n['where']) : null,
      };
    }
    case 'delete': {
      const from = arr(n['from']);
      if (from.length !== 1) throw unsupported('DELETE on several tables');
      return {
        kind: 'delete', table: convertTableRef(obj(from[0], 'table')).table,
        where: present(n['where']) ? convertExpr(n['where']) : null,
      };
    }
    default:
      throw unsupported(`${type.toUpperCase()} statements`);
  }
}
