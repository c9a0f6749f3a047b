import nodeSqlParser from 'node-sql-parser';
import { ChronosError } from '../lib/index.js';
import type { Expr, SelectItem, Statement } from './ast.js';
import { convertStatement } from './convert.js';
import { positionOf, singleStatement, tokenize, type Token } from './lexer.js';
import { negateLiteral, numberLiteral, stringLiteral } from './literals.js';
import { printExpr } from './print.js';
import { parseByTokens, parseFastInsert } from './token-parser.js';

const parser = new nodeSqlParser.Parser();
const PARSER_OPTIONS = { database: 'PostgresQL' } as const;

/** Shapes kept; beyond this the cache starts over (statements with ad-hoc shapes are rare). */
const SHAPE_CACHE_ENTRIES_MAX = 2000;
const shapeCache = new Map<string, Statement>();

/** Options of `parseStatement`; `cache: false` is the slow reference path for tests. */
export interface ParseOptions {
  readonly cache?: boolean;
}

/** Parse one statement (a trailing `;` allowed) into our AST. Throws PARSE_ERROR/UNSUPPORTED. */
export function parseStatement(sql: string, options: ParseOptions = {}): Statement {
  const tokens = singleStatement(sql, tokenize(sql));
  const byTokens = parseByTokens(sql, tokens);
  if (byTokens !== null) return byTokens;
  const useCache = options.cache ?? true;
  if (useCache && tokens[0]?.kind === 'word' && tokens[0].value === 'INSERT') {
    const fast = parseFastInsert(sql, tokens);
    if (fast !== null) return fast;
  }
  const { shape, literals } = shapeOf(sql, tokens);
  let template = useCache ? shapeCache.get(shape) : undefined;
  if (template === undefined) {
    const parsed = astify(shape, sql);
    // The shape failed but the text parsed (e.g. `LIMIT -1`): use the text, uncached.
    if (parsed.fromOriginal) return convertStatement(parsed.ast);
    template = convertStatement(parsed.ast);
    if (useCache) {
      if (shapeCache.size >= SHAPE_CACHE_ENTRIES_MAX) shapeCache.clear();
      shapeCache.set(shape, template);
    }
  }
  return literals.length === 0 ? template : bindStatement(template, literals);
}

/** The statement with literals replaced by `:pN`, and the literals in order. */
function shapeOf(sql: string, tokens: readonly Token[]): { shape: string; literals: Expr[] } {
  const parts: string[] = [];
  const literals: Expr[] = [];
  for (const t of tokens) {
    if (t.kind === 'number' || t.kind === 'string') {
      parts.push(`:p${literals.length}`);
      literals.push(t.kind === 'number' ? numberLiteral(t.value) : stringLiteral(t.value));
    } else if (t.kind === 'duration') {
      throw new ChronosError(
        'PARSE_ERROR',
        `Parse error: unexpected '${t.value}' at ${positionOf(sql, t.start)}`,
      );
    } else {
      parts.push(sql.slice(t.start, t.end));
    }
  }
  return { shape: parts.join(' '), literals };
}

function astify(shape: string, original: string): { ast: unknown; fromOriginal: boolean } {
  try {
    return { ast: parser.astify(shape, PARSER_OPTIONS), fromOriginal: false };
  } catch {
    // Re-parse the user's own text so the position in the message is theirs.
    try {
      return { ast: parser.astify(original, PARSER_OPTIONS), fromOriginal: true };
    } catch (originalError) {
      throw parseErrorFrom(original, originalError);
    }
  }
}

function parseErrorFrom(sql: string, error: unknown): ChronosError {
  const location = (error as { location?: { start?: { offset?: unknown } } } | null)?.location;
  const offset = location?.start?.offset;
  if (typeof offset !== 'number') {
    return new ChronosError(
      'PARSE_ERROR',
      `Parse error: ${String((error as Error).message ?? error)}`,
    );
  }
  if (offset >= sql.trimEnd().length) {
    return new ChronosError('PARSE_ERROR', 'Parse error: unexpected end of statement', {
      details: { offset },
    });
  }
  const rest = sql.slice(offset);
  const word = /^[A-Za-z_0-9$]+|^'[^']*'?|^\S/.exec(rest)?.[0] ?? rest.slice(0, 1);
  return new ChronosError(
    'PARSE_ERROR',
    `Parse error: unexpected '${word}' at ${positionOf(sql, offset)}`,
    { details: { offset } },
  );
}

/** Substitute literals for the parameters of a cached template. */
function bindStatement(s: Statement, values: readonly Expr[]): Statement {
  const bind = (e: Expr): Expr => bindExpr(e, values);
  const bindOpt = (e: Expr | null): Expr | null => (e === null ? null : bind(e));
  switch (s.kind) {
    case 'select':
      return {
        ...s,
        items: s.items.map((item): SelectItem => {
          if (item.kind === 'star') return item;
          const expr = bind(item.expr);
          const aliased = item.name !== printExpr(item.expr);
          return { kind: 'expr', expr, name: aliased ? item.name : printExpr(expr) };
        }),
        joins: s.joins.map((j) => ({ ...j, on: bindOpt(j.on) })),
        where: bindOpt(s.where),
        groupBy: s.groupBy.map(bind),
        having: bindOpt(s.having),
        orderBy: s.orderBy.map((o) => ({ ...o, expr: bind(o.expr) })),
        limit: bindOpt(s.limit),
        offset: bindOpt(s.offset),
      };
    case 'insert':
      return { ...s, rows: s.rows.map((r) => r.map(bind)) };
    case 'update':
      return {
        ...s,
        assignments: s.assignments.map((a) => ({ column: a.column, value: bind(a.value) })),
        where: bindOpt(s.where),
      };
    case 'delete':
      return { ...s, where: bindOpt(s.where) };
    default:
      return s;
  }
}

function bindExpr(e: Expr, values: readonly Expr[]): Expr {
  const b = (x: Expr): Expr => bindExpr(x, values);
  switch (e.kind) {
    case 'param': {
      const v = values[e.index];
      if (v === undefined) throw new ChronosError(
        'PARSE_ERROR',
        `Parse error: unbound parameter ${e.index}`,
      );
      return v;
    }
    case 'literal':
    case 'column':
      return e;
    case 'unary': {
      const operand = b(e.operand);
      return (e.op === '-' ? negateLiteral(operand) : null) ?? { ...e, operand };
    }
    case 'binary':
      return { ...e, left: b(e.left), right: b(e.right) };
    case 'isNull':
      return { ...e, operand: b(e.operand) };
    case 'in':
      return { ...e, operand: b(e.operand), list: e.list.map(b) };
    case 'between':
      return { ...e, operand: b(e.operand), low: b(e.low), high: b(e.high) };
    case 'like':
      return { ...e, operand: b(e.operand), pattern: b(e.pattern) };
    case 'call':
      return { ...e, args: e.args.map(b) };
    case 'aggregate':
      return { ...e, arg: e.arg === null ? null : b(e.arg) };
    default:
      return e satisfies never;
  }
}
