import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommandSpec, ParsedArgs } from './args.js';
import type { AdminEnv } from './admin-http-client.js';
import type { CliIo } from './sql-target.js';
import { errorMessage, oneLine } from '../lib/index.js';
import { parseArgs } from './args.js';
import { runClient } from './commands/client.js';
import { runSingleNode } from './commands/single-node.js';
import { runSnapshotCreate, runSnapshotRestore } from './commands/snapshot.js';
import { helpText } from './help.js';
import {
  addNodeOptions, adminHttp, clientOptions, nodeOptions, removeNodeOptions,
  singleNodeOptions, snapshotCreateOptions, snapshotRestoreOptions,
} from './options.js';
import {
  ADMIN_ADD_NODE_SPEC, ADMIN_REMOVE_NODE_SPEC, ADMIN_STATUS_SPEC, CLIENT_SPEC, NODE_SPEC,
  SINGLE_NODE_SPEC, SNAPSHOT_CREATE_SPEC, SNAPSHOT_RESTORE_SPEC, TOP_HELP,
} from './specs.js';
import { processIo } from './sql-target.js';
import { USAGE_EXIT_CODE, UsageError } from './usage-error.js';
import { packageVersion } from './version.js';

/** What a CLI run may touch: injected so tests run commands in-process. */
export interface CliContext {
  readonly io: CliIo;
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly env: AdminEnv;
}

/** A command: its spec and what runs once its flags parsed. */
interface Command {
  readonly spec: CommandSpec;
  readonly run: (args: ParsedArgs, context: CliContext) => Promise<number>;
}

/**
 * The admin commands, loaded on use: they name the admin app's paths, which come from api/'s
 * index, and that loads fastify and prom-client (a few hundred ms nobody else should pay).
 */
function adminCommands(): Promise<typeof import('./commands/admin.js')> {
  return import('./commands/admin.js');
}

const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>([
  ['single-node', {
    spec: SINGLE_NODE_SPEC,
    run: (args, c) => runSingleNode(singleNodeOptions(args), c, c.io),
  }],
  ['node', {
    spec: NODE_SPEC,
    run: async (args, c) => {
      const options = nodeOptions(args);
      // Loaded on use: the server pulls in gRPC, fastify and LevelDB (a second of start-up).
      const { runNode } = await import('./commands/node.js');
      return runNode(options, c.io);
    },
  }],
  ['client', {
    spec: CLIENT_SPEC, run: (args, c) => runClient(clientOptions(args), c, c.io, c.env),
  }],
  ['admin status', {
    spec: ADMIN_STATUS_SPEC,
    run: async (args, c) => (await adminCommands()).runAdminStatus(adminHttp(args), c.io, c.env),
  }],
  ['admin add-node', {
    spec: ADMIN_ADD_NODE_SPEC,
    run: async (args, c) => (await adminCommands()).runAddNode(addNodeOptions(args), c.io, c.env),
  }],
  ['admin remove-node', {
    spec: ADMIN_REMOVE_NODE_SPEC,
    run: async (args, c) => (await adminCommands()).runRemoveNode(removeNodeOptions(args), c.io, c.env),
  }],
  ['snapshot create', {
    spec: SNAPSHOT_CREATE_SPEC,
    run: (args, c) => runSnapshotCreate(snapshotCreateOptions(args), c.io, c.env),
  }],
  ['snapshot restore', {
    spec: SNAPSHOT_RESTORE_SPEC,
    run: (args, c) => runSnapshotRestore(snapshotRestoreOptions(args), c.io),
  }],
]);

/** Commands that only group subcommands. */
const GROUPS: ReadonlyMap<string, readonly string[]> = new Map([
  ['admin', ['status', 'add-node', 'remove-node']],
  ['snapshot', ['create', 'restore']],
]);

/** Entry point of `bin/chronos`: runs the command line and sets process.exitCode. */
export async function main(argv: string[]): Promise<void> {
  // `chronos ... | head -1` closes the pipe early: stop quietly instead of an EPIPE trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.exitCode = await runCli(argv, {
    io: processIo(), stdin: process.stdin, stdout: process.stdout, env: process.env,
  });
}

/** True when this file is the process's entry script (`node dist/cli/main.js`, `npm start`). */
function isEntryScript(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryScript()) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`Error: ${errorMessage(error)}\n`);
    process.exitCode = 1;
  });
}

/**
 * Runs one command line and returns the exit code: 0 success, 1 failure, 2 bad usage. Every
 * error becomes a single `Error: ...` line on stderr, never a stack trace.
 */
export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  const { io } = context;
  try {
    const first = argv[0];
    if (first === undefined) {
      io.stderr.write(TOP_HELP);
      return USAGE_EXIT_CODE;
    }
    if (first === '--version' || first === '-V') {
      io.stdout.write(`chronos ${packageVersion()}\n`);
      return 0;
    }
    if (first === '--help' || first === '-h' || first === 'help') {
      io.stdout.write(TOP_HELP);
      return 0;
    }
    const { command, rest } = findCommand(argv, io);
    if (command === null) return 0;
    const args = parseArgs(command.spec, rest);
    if (args.help) {
      io.stdout.write(helpText(command.spec));
      return 0;
    }
    return await command.run(args, context);
  } catch (error) {
    if (error instanceof UsageError) {
      const hint = error.message.includes('--help')
        ? '' : ` (see 'chronos ${commandPath(argv)} --help')`;
      io.stderr.write(`Error: ${error.message}${hint}\n`);
      return USAGE_EXIT_CODE;
    }
    io.stderr.write(`Error: ${oneLine(errorMessage(error))}\n`);
    return 1;
  }
}

/** The command named by the first words; null when a group's help was printed instead. */
function findCommand(
  argv: readonly string[], io: CliIo,
): { command: Command | null; rest: readonly string[] } {
  const first = argv[0] ?? '';
  const subcommands = GROUPS.get(first);
  if (subcommands === undefined) {
    const command = COMMANDS.get(first);
    if (command === undefined) {
      throw new UsageError(`unknown command '${first}' (see 'chronos --help')`);
    }
    return { command, rest: argv.slice(1) };
  }
  const second = argv[1];
  if (second === '--help' || second === '-h') {
    io.stdout.write(groupHelp(first, subcommands));
    return { command: null, rest: [] };
  }
  const command = second === undefined ? undefined : COMMANDS.get(`${first} ${second}`);
  if (command === undefined) {
    const what = second === undefined ? 'needs a subcommand' : `has no subcommand '${second}'`;
    throw new UsageError(
      `'chronos ${first}' ${what}: ${subcommands.join(', ')} (see 'chronos ${first} --help')`);
  }
  return { command, rest: argv.slice(2) };
}

function groupHelp(group: string, subcommands: readonly string[]): string {
  const lines = [`Usage: chronos ${group} <COMMAND> [OPTIONS]`, '', 'Commands:'];
  for (const sub of subcommands) {
    const spec = COMMANDS.get(`${group} ${sub}`)?.spec;
    lines.push(`  ${sub.padEnd(14)}${spec?.summary ?? ''}`);
  }
  return lines.join('\n') + '\n';
}

function commandPath(argv: readonly string[]): string {
  const first = argv[0] ?? '';
  return GROUPS.has(first) && argv[1] !== undefined && !argv[1].startsWith('-')
    ? `${first} ${argv[1]}` : first;
}
