import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from './stats.js';

/** One reported figure: a summary of repeated measurements and, where one exists, its target. */
export interface Figure {
  readonly group: string;
  readonly name: string;
  readonly unit: string;
  readonly summary: Summary;
  /** Human text such as `>= 100000`; null when there is no target (peer figures). */
  readonly target: string | null;
  /** Whether the median meets the target; null without a target. */
  readonly met: boolean | null;
}

/** A target a figure is checked against. */
export interface Target {
  readonly op: '>=' | '<';
  readonly value: number;
}

/** Builds a figure, checking the median against `target` when given. */
export function figure(
  group: string,
  name: string,
  unit: string,
  summary: Summary,
  target: Target | null = null,
): Figure {
  const met =
    target === null ? null : target.op === '>=' ? summary.median >= target.value : summary.median < target.value;
  return { group, name, unit, summary, target: target === null ? null : `${target.op} ${target.value}`, met };
}

/** Formats a number for the table: integers for big figures, 3 significant digits for small. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

/** Renders rows of cells as an aligned text table with a header rule. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The figures as a readable table: median, min, max, unit, target and whether it is met. */
export function renderFigures(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    `${f.group}: ${f.name}`,
    formatNumber(f.summary.median),
    formatNumber(f.summary.min),
    formatNumber(f.summary.max),
    f.unit,
    f.target ?? '',
    f.met === null ? '' : f.met ? 'ok' : 'MISSED',
  ]);
  return renderTable(['measurement', 'median', 'min', 'max', 'unit', 'target', ''], rows);
}

/** Writes `bench-results/<name>-<ISO time>.json` under `root` and returns its path. */
export function writeResults(root: string, name: string, body: unknown): string {
  const dir = join(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/:/g, '-');
  const path = join(dir, `${name}-${stamp}.json`);
  writeFileSync(path, `${JSON.stringify(body, null, 2)}\n`);
  return path;
}
