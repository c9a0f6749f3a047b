import type { CommandSpec, FlagSpec } from './args.js';

/** Column where flag descriptions start, as in the guide's `chronos node --help`. */
const DESCRIPTION_COLUMN = 42;

/** The `--help` text of a command: summary, usage, arguments and options (clap's layout). */
export function helpText(spec: CommandSpec): string {
  const lines = [spec.summary, '', `Usage: ${spec.usage}`, ''];
  if (spec.positionals.length > 0) {
    lines.push('Arguments:');
    for (const p of spec.positionals) lines.push(column(`  <${p.name}>`, p.description));
    lines.push('');
  }
  lines.push('Options:');
  for (const flag of spec.flags) lines.push(flagLine(flag));
  lines.push(column('  -h, --help', 'Print help'));
  return lines.join('\n') + '\n';
}

/** One `Options:` line: `  -i, --id <ID>` padded to the description column. */
export function flagLine(flag: FlagSpec): string {
  const short = flag.short === undefined ? '    ' : `-${flag.short}, `;
  const value = flag.value === undefined ? '' : ` <${flag.value}>`;
  const description = flag.defaultText === undefined
    ? flag.description
    : `${flag.description} [default: ${flag.defaultText}]`;
  return column(`  ${short}--${flag.name}${value}`, description);
}

function column(left: string, right: string): string {
  const width = Math.max(DESCRIPTION_COLUMN, left.length + 2);
  return left.padEnd(width) + right;
}
