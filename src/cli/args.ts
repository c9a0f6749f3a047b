import { UsageError } from './usage-error.js';

/** One flag a command accepts. */
export interface FlagSpec {
  /** Long name without the leading `--`. */
  readonly name: string;
  /** One-letter short form without the `-`. */
  readonly short?: string;
  /** Placeholder of the value (`ID`); absent for a switch that takes no value. */
  readonly value?: string;
  readonly description: string;
  /** Shown in help as `[default: ...]`. */
  readonly defaultText?: string;
}

/** One positional argument a command accepts. */
export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
}

/** What a (sub)command accepts, and how its help describes it. */
export interface CommandSpec {
  /** Words after `chronos`: `node`, `admin status`. */
  readonly path: string;
  readonly summary: string;
  /** Usage line after `Usage: `. */
  readonly usage: string;
  readonly flags: readonly FlagSpec[];
  /** Required positionals, in order (no optional ones: every command takes a fixed number). */
  readonly positionals: readonly PositionalSpec[];
}

/** A command line parsed against its spec; values are strings, validated by the caller. */
export interface ParsedArgs {
  /** Value of each value flag given, by long name. */
  readonly values: ReadonlyMap<string, string>;
  /** Long names of the switches given. */
  readonly switches: ReadonlySet<string>;
  readonly positionals: readonly string[];
  /** `-h` or `--help` was given: the caller prints help and ignores everything else. */
  readonly help: boolean;
}

/**
 * Parses `argv` (the words after the command path) against `spec`: `--flag value`,
 * `--flag=value`, `-f value`, `-fvalue`, `-f=value`, switches, positionals, and `--` to end
 * flags. Throws UsageError naming the flag and the command for anything else.
 */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const positionals: string[] = [];
  if (argv.includes('-h') || argv.includes('--help')) {
    return { values, switches, positionals, help: true };
  }
  let flagsEnded = false;
  for (let i = 0; i < argv.length; i += 1) {
    const word = argv[i] as string;
    if (flagsEnded || word === '-' || !word.startsWith('-')) {
      positionals.push(word);
      continue;
    }
    if (word === '--') {
      flagsEnded = true;
      continue;
    }
    const { flag, inline, shown } = lookupFlag(spec, word);
    if (values.has(flag.name) || switches.has(flag.name)) {
      throw new UsageError(`${shown} given more than once ${seeHelp(spec)}`);
    }
    if (flag.value === undefined) {
      if (inline !== undefined) throw new UsageError(`${shown} takes no value ${seeHelp(spec)}`);
      switches.add(flag.name);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined) {
        throw new UsageError(`${shown} needs a value <${flag.value}> ${seeHelp(spec)}`);
      }
      i += 1;
    }
    values.set(flag.name, value);
  }
  checkPositionals(spec, positionals);
  return { values, switches, positionals, help: false };
}

/** The `(see 'chronos node --help')` hint that ends every usage error. */
export function seeHelp(spec: CommandSpec): string {
  return `(see 'chronos ${spec.path} --help')`;
}

interface FlagMatch {
  readonly flag: FlagSpec;
  readonly inline: string | undefined;
  readonly shown: string;
}

function lookupFlag(spec: CommandSpec, word: string): FlagMatch {
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    const name = eq === -1 ? word.slice(2) : word.slice(2, eq);
    const flag = spec.flags.find((f) => f.name === name);
    if (flag === undefined) throw unknownFlag(spec, `--${name}`);
    return { flag, inline: eq === -1 ? undefined : word.slice(eq + 1), shown: `--${name}` };
  }
  const letter = word.slice(1, 2);
  const flag = spec.flags.find((f) => f.short === letter);
  if (flag === undefined) throw unknownFlag(spec, `-${letter}`);
  const attached = word.slice(2);
  let inline: string | undefined;
  if (attached !== '') inline = attached.startsWith('=') ? attached.slice(1) : attached;
  return { flag, inline, shown: `-${letter}` };
}

function unknownFlag(spec: CommandSpec, shown: string): UsageError {
  return new UsageError(`unknown flag '${shown}' for 'chronos ${spec.path}' ${seeHelp(spec)}`);
}

function checkPositionals(spec: CommandSpec, positionals: readonly string[]): void {
  const expected = spec.positionals;
  if (positionals.length > expected.length) {
    const extra = positionals[expected.length] as string;
    throw new UsageError(
      `unexpected argument '${extra}' for 'chronos ${spec.path}' ${seeHelp(spec)}`);
  }
  const missing = expected[positionals.length];
  if (missing !== undefined) {
    throw new UsageError(`'chronos ${spec.path}' needs <${missing.name}> ${seeHelp(spec)}`);
  }
}
