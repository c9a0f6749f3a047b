import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

/** Which top-level folders each folder may import from (docs/architecture.md). */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  lib: [],
  // The one token check: admin HTTP, client gRPC (api/) and the Raft server (transport/).
  auth: ['lib'],
  raft: ['lib'],
  wal: ['lib', 'raft'],
  storage: ['lib'],
  sql: ['lib', 'storage'],
  ingest: ['lib', 'storage'],
  sync: ['lib', 'storage', 'sql'],
  transport: ['lib', 'auth', 'raft', 'sql', 'storage'],
  node: ['lib', 'raft', 'wal', 'storage', 'sql', 'ingest', 'sync', 'transport'],
  // api/ sits above node/: its surfaces call the driver; its gRPC services sit on transport/'s
  // server plumbing (proto loading, status mapping, the generic GrpcServer).
  api: ['lib', 'auth', 'node', 'sql', 'sync', 'transport'],
  // The simulation runs the real driver: it builds nodes from every layer below cli/.
  sim: ['lib', 'raft', 'wal', 'storage', 'sql', 'transport', 'node'],
  cli: ['lib', 'auth', 'raft', 'wal', 'storage', 'sql', 'ingest', 'sync', 'transport', 'api', 'node'],
  bench: ['lib', 'auth', 'raft', 'wal', 'storage', 'sql', 'ingest', 'sync', 'transport', 'api', 'node'],
};

/** Lines a function may span, from its first to its last line. */
const FUNCTION_LINES_MAX = 70;


function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

interface SourceFile {
  readonly path: string;
  readonly rel: string;
  readonly folder: string;
  readonly text: string;
  readonly ast: ts.SourceFile;
}

const files: readonly SourceFile[] = sourceFiles(SRC).map((path) => {
  const rel = relative(SRC, path);
  const text = readFileSync(path, 'utf8');
  const ast = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
  return { path, rel, folder: rel.split(sep)[0] ?? '', text, ast };
});

/** Every relative module path a file names: imports, re-exports, import() and import types. */
function relativeSpecifiers(file: SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    let specifier: ts.Expression | undefined;
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) specifier = node.moduleSpecifier;
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) specifier = node.arguments[0];
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) specifier = node.argument.literal;
    if (specifier !== undefined && ts.isStringLiteral(specifier) && specifier.text.startsWith('.')) found.push(specifier.text);
    ts.forEachChild(node, visit);
  };
  visit(file.ast);
  return found;
}

/** Imports that leave the file's top-level folder: the folder they reach and the path inside it. */
const crossFolderImports = files.flatMap((file) =>
  relativeSpecifiers(file).flatMap((specifier) => {
    const [target = '', ...inside] = relative(SRC, resolve(dirname(file.path), specifier)).split(sep);
    return target === file.folder ? [] : [{ file, target, inside: inside.join('/') }];
  }),
);

/** Function-like nodes with a body, and how many lines each spans. */
function functionSpans(file: SourceFile): Array<{ readonly name: string; readonly line: number; readonly lines: number }> {
  const spans: Array<{ name: string; line: number; lines: number }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const first = file.ast.getLineAndCharacterOfPosition(node.getStart(file.ast)).line;
      const last = file.ast.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = node.name !== undefined && ts.isIdentifier(node.name) ? node.name.text : '(anonymous)';
      spans.push({ name, line: first + 1, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(file.ast);
  return spans;
}

describe('tidy: the architecture the docs describe', () => {
  it('every source file lives in a known folder', () => {
    for (const file of files) expect(Object.keys(MAY_IMPORT), file.rel).toContain(file.folder);
  });

  it('imports point down the folder table only', () => {
    const violations = crossFolderImports
      .filter(({ file, target }) => !(MAY_IMPORT[file.folder] ?? []).includes(target))
      .map(({ file, target }) => `${file.rel} imports ${target}/`);
    expect(violations).toEqual([]);
  });

  it('node/ knows no client surface: it imports nothing of api/', () => {
    const offenders = crossFolderImports
      .filter(({ file, target }) => file.folder === 'node' && target === 'api')
      .map(({ file }) => file.rel);
    expect(offenders).toEqual([]);
  });

  it('imports across folders go through an index.ts only', () => {
    const violations = crossFolderImports
      .filter(({ inside }) => inside !== 'index.js' && !inside.endsWith('/index.js'))
      .map(({ file, target, inside }) => `${file.rel} imports ${target}/${inside}, not an index.ts`);
    expect(violations).toEqual([]);
  });

  it(`keeps functions under ${FUNCTION_LINES_MAX} lines`, () => {
    const violations = files.flatMap((file) =>
      functionSpans(file)
        .filter((span) => span.lines > FUNCTION_LINES_MAX)
        .map((span) => `${file.rel}:${span.line} ${span.name} spans ${span.lines} lines`),
    );
    expect(violations).toEqual([]);
  });

  it('keeps the Raft core free of time, randomness and I/O', () => {
    const banned = /Math\.random\(|Date\.now\(|performance\.now\(|setTimeout\(|setInterval\(|setImmediate\(|from 'node:/;
    const offenders = files
      .filter((file) => file.folder === 'raft' && banned.test(file.text))
      .map((file) => file.rel);
    expect(offenders).toEqual([]);
  });

  it('never spreads an array into push or unshift (its items go on the stack: RangeError past ~120,000)', () => {
    const offenders: string[] = [];
    for (const file of files) {
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) &&
          ['push', 'unshift'].includes(node.expression.name.text) && node.arguments.some(ts.isSpreadElement)) {
          offenders.push(`${file.rel}:${file.ast.getLineAndCharacterOfPosition(node.getStart(file.ast)).line + 1} (use appendAll)`);
        }
        ts.forEachChild(node, visit);
      };
      visit(file.ast);
    }
    expect(offenders).toEqual([]);
  });

  it('keeps files small enough to read in one sitting', () => {
    const large = files
      .map((file) => ({ rel: file.rel, lines: file.text.split('\n').length }))
      .filter((file) => file.lines > 600);
    expect(large).toEqual([]);
  });
});
