import { ChronosError } from '../lib/index.js';
import type { BinaryOp, Expr, SelectStatement, Truth } from './ast.js';
import { Cursor, unsupported } from './cursor.js';
import type { Token } from './lexer.js';
import { negateLiteral, numberLiteral, stringLiteral } from './literals.js';
import { MAX_NESTING_DEPTH, nestingTooDeep } from './parse-limits.js';
import { parsePrimary } from './primary-parser.js';
import { parseTypeName } from './type-name.js';

// Binding powers, loosest first, as PostgreSQL documents them:
// OR < AND < NOT < IS < comparison < BETWEEN/IN/LIKE < || < + - < * / % < unary minus < ::
// (print.ts parenthesizes by the same numbers, so that printed text reads back alike).
export const BP_OR = 1;
export const BP_AND = 2;
export const BP_NOT = 3;
export const BP_IS = 4;
export const BP_COMPARE = 5;
export const BP_RANGE = 6;
export const BP_CONCAT = 7;
export const BP_ADD = 8;
export const BP_MUL = 9;
/** Operand strength of unary minus (binds tighter than every binary operator). */
export const BP_UNARY = 10;

const COMPARISONS: Readonly<Record<string, BinaryOp>> = {
  '=': '=', '!=': '!=', '<>': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
};
const ARITHMETIC: Readonly<Record<string, readonly [BinaryOp, number]>> = {
  '||': ['||', BP_CONCAT], '+': ['+', BP_ADD], '-': ['-', BP_ADD],
  '*': ['*', BP_MUL], '/': ['/', BP_MUL], '%': ['%', BP_MUL],
};
const TRUTHS: readonly Truth[] = ['TRUE', 'FALSE', 'UNKNOWN'];
const RANGE_WORDS: ReadonlySet<string> = new Set(['BETWEEN', 'IN', 'LIKE', 'ILIKE', 'SIMILAR']);

/** Recursive-descent/Pratt parser of expressions; each call is linear in its tokens. */
export class ExprParser {
  #depth = 0;
  /** Set once a subquery was parsed: the statement then needs resolveSubqueries. */
  sawSubquery = false;
  /** `select` parses a SELECT from this parser's cursor (subqueries; injected to avoid a cycle). */
  constructor(
    readonly c: Cursor,
    readonly select: (p: ExprParser) => SelectStatement,
  ) {}

  /** `(SELECT ...)` as a subquery expression, one nesting level deeper. */
  subquery(mode: 'scalar' | 'exists' | 'in', operand: Expr | null = null, negated = false): Expr {
    this.sawSubquery = true;
    const query = this.nested(() => this.select(this));
    this.c.expectSymbol(')');
    return { kind: 'subquery', mode, query, operand, negated };
  }

  /** A full expression (OR level). */
  expr(): Expr {
    return this.parse(BP_OR);
  }

  /** An expression whose operators all bind at least as tight as `minBp`. */
  parse(minBp: number): Expr {
    // Recursion here is bounded by the number of precedence levels; what can nest without
    // bound (parentheses, calls, IN lists, prefix operators) goes through nested().
    let left = this.prefix();
    for (;;) {
      const next = this.infix(left, minBp);
      if (next === null) return left;
      left = next;
    }
  }

  /** Run `inner` one nesting level deeper; past MAX_NESTING_DEPTH it is LIMIT_EXCEEDED. */
  nested<T>(inner: () => T): T {
    if (++this.#depth > MAX_NESTING_DEPTH) throw nestingTooDeep();
    try {
      return inner();
    } finally {
      this.#depth--;
    }
  }

  private prefix(): Expr {
    const c = this.c;
    if (c.acceptWord('NOT')) {
      return { kind: 'unary', op: 'NOT', operand: this.nested(() => this.parse(BP_NOT)) };
    }
    if (c.acceptSymbol('-')) {
      const operand = this.nested(() => this.parse(BP_UNARY));
      return negateLiteral(operand) ?? { kind: 'unary', op: '-', operand };
    }
    if (c.acceptSymbol('+')) {
      const operand = this.nested(() => this.parse(BP_UNARY));
      return operand.kind === 'literal' ? { ...operand, unaryPlus: true } : operand;
    }
    return parsePrimary(this);
  }

  /** The expression `left` extends to with the next operator, or null when it ends here. */
  private infix(left: Expr, minBp: number): Expr | null {
    const t = this.c.peek();
    if (t === undefined) return null;
    if (t.kind === 'symbol') return this.symbolInfix(t, left, minBp);
    if (t.kind !== 'word') return null;
    switch (t.value) {
      case 'OR':
        return minBp <= BP_OR ? this.chain('OR', left, BP_AND) : null;
      case 'AND':
        return minBp <= BP_AND ? this.chain('AND', left, BP_NOT) : null;
      case 'IS':
        return minBp <= BP_IS ? this.isNull(left) : null;
      case 'NOT':
        // `x NOT IN/BETWEEN/LIKE`; a bare NOT here is the caller's to report.
        return minBp <= BP_RANGE && RANGE_WORDS.has(this.c.peek(1)?.value ?? '')
          ? this.range(left)
          : null;
      default:
        return minBp <= BP_RANGE && RANGE_WORDS.has(t.value) ? this.range(left) : null;
    }
  }

  private symbolInfix(t: Token, left: Expr, minBp: number): Expr | null {
    const compare = COMPARISONS[t.value];
    if (compare !== undefined) {
      if (minBp > BP_COMPARE) return null;
      this.c.next();
      const right = this.parse(BP_COMPARE + 1);
      const after = this.c.peek();
      if (after !== undefined && after.kind === 'symbol' && COMPARISONS[after.value] !== undefined) {
        // PostgreSQL: comparisons don't associate; sqlite would read (a < b) < c.
        throw this.c.fail('comparison operators do not chain; add parentheses');
      }
      return { kind: 'binary', op: compare, left, right };
    }
    const arithmetic = ARITHMETIC[t.value];
    if (arithmetic !== undefined) {
      const [op, bp] = arithmetic;
      if (minBp > bp) return null;
      this.c.next();
      return { kind: 'binary', op, left, right: this.parse(bp + 1) };
    }
    if (t.value === '::') {
      // Binds tighter than everything, unary minus included (-x::INT is -(x::INT)).
      this.c.next();
      return { kind: 'cast', operand: left, type: parseTypeName(this.c) };
    }
    return null;
  }

  /** `a OR b OR c ...` as a balanced tree: AND and OR are associative, so depth stays log n. */
  private chain(op: 'AND' | 'OR', first: Expr, operandBp: number): Expr {
    const operands: Expr[] = [first];
    while (this.c.acceptWord(op)) operands.push(this.parse(operandBp));
    return balanced(op, operands, 0, operands.length);
  }

  /** `IS [NOT] NULL | TRUE | FALSE | UNKNOWN | DISTINCT FROM b` after `operand`. */
  private isNull(operand: Expr): Expr {
    const c = this.c;
    c.expectWord('IS');
    const negated = c.acceptWord('NOT');
    if (c.acceptWord('NULL')) return { kind: 'isNull', operand, negated };
    for (const truth of TRUTHS) {
      if (c.acceptWord(truth)) return { kind: 'isTruth', operand, truth, negated };
    }
    if (c.acceptWord('DISTINCT')) {
      c.expectWord('FROM');
      // As in PostgreSQL, the right side takes everything that binds tighter than IS.
      return { kind: 'isDistinct', left: operand, right: this.parse(BP_IS + 1), negated };
    }
    throw c.fail('expected NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS');
  }

  /** `[NOT] BETWEEN lo AND hi`, `[NOT] IN (...)`, `[NOT] LIKE pattern`. */
  private range(operand: Expr): Expr {
    const c = this.c;
    const negated = c.acceptWord('NOT');
    const word = c.next().value;
    switch (word) {
      case 'BETWEEN': {
        if (c.isWord('SYMMETRIC') || c.isWord('ASYMMETRIC')) throw unsupported('BETWEEN SYMMETRIC');
        const low = this.parse(BP_RANGE + 1);
        c.expectWord('AND');
        const high = this.parse(BP_RANGE + 1);
        return { kind: 'between', operand, low, high, negated };
      }
      case 'IN':
        if (c.isSymbol('(') && (c.isWord('SELECT', 1))) {
          c.next();
          return this.subquery('in', operand, negated);
        }
        return { kind: 'in', operand, list: this.inList(), negated };
      case 'LIKE':
      case 'ILIKE': {
        const pattern = this.parse(BP_RANGE + 1);
        const escape = this.likeEscape();
        return {
          kind: 'like', operand, pattern, negated,
          ...(word === 'ILIKE' ? { caseInsensitive: true } : {}), ...(escape === null ? {} : { escape }),
        };
      }
      default:
        throw unsupported(`${word} (use LIKE)`);
    }
  }

  /** `ESCAPE 'c'` after a LIKE pattern: one character, or '' for none; null when absent. */
  private likeEscape(): string | null {
    const c = this.c;
    if (!c.acceptWord('ESCAPE')) return null;
    const token = c.peek();
    if (token?.kind !== 'string') throw unsupported('LIKE ... ESCAPE of anything but a string literal');
    c.next();
    if ([...token.value].length > 1) {
      throw new ChronosError('INVALID_ARGUMENT', `LIKE ... ESCAPE takes one character, got '${token.value}'`);
    }
    return token.value;
  }

  private inList(): Expr[] {
    const c = this.c;
    c.expectSymbol('(');
    if (c.isWord('WITH')) throw unsupported('WITH inside an expression subquery');
    const list = this.nested(() => this.list());
    c.expectSymbol(')');
    return list;
  }

  /** One or more comma-separated expressions. */
  list(): Expr[] {
    const items: Expr[] = [this.listItem()];
    while (this.c.acceptSymbol(',')) items.push(this.listItem());
    return items;
  }

  /** A list item; a lone literal (the bulk of long IN and VALUES lists) skips the climb. */
  private listItem(): Expr {
    const t = this.c.peek();
    const after = this.c.peek(1);
    if (t !== undefined && (t.kind === 'number' || t.kind === 'string')
      && after !== undefined && after.kind === 'symbol' && (after.value === ',' || after.value === ')')) {
      this.c.next();
      return t.kind === 'number' ? numberLiteral(t.value) : stringLiteral(t.value);
    }
    return this.expr();
  }
}

function balanced(op: 'AND' | 'OR', operands: readonly Expr[], from: number, to: number): Expr {
  if (to - from === 1) return operands[from] as Expr;
  const mid = (from + to) >>> 1;
  return {
    kind: 'binary', op,
    left: balanced(op, operands, from, mid),
    right: balanced(op, operands, mid, to),
  };
}
