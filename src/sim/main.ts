import { runDriverSimulation } from './driver-simulation.js';
import { runSimulation, SimulationFailure } from './simulation.js';

/** What `npm run sim` was asked to run. */
interface SimArgs {
  seeds: number;
  start: number;
  nodes: 3 | 5 | null;
  steps: number | null;
  /** The core-only simulation (RaftCore over a toy KV store) instead of the real driver. */
  core: boolean;
}

/** Parses `[--core] --seeds N [--start S] [--nodes 3|5] [--steps N]`; throws on a bad flag. */
function parseArgs(argv: readonly string[]): SimArgs {
  const options: SimArgs = { seeds: 100, start: 1, nodes: null, steps: null, core: false };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    if (flag === '--core') {
      options.core = true;
      i -= 1;
      continue;
    }
    const value = Number(argv[i + 1]);
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`flag ${flag ?? ''} needs a non-negative integer, got ${argv[i + 1] ?? ''}`);
    }
    if (flag === '--seeds') options.seeds = value;
    else if (flag === '--start') options.start = value;
    else if (flag === '--steps') options.steps = value;
    else if (flag === '--nodes' && (value === 3 || value === 5)) options.nodes = value;
    else throw new Error(`unknown flag ${flag ?? ''} (use [--core] --seeds N --start S --nodes 3|5 --steps N)`);
  }
  return options;
}

/** Steps per seed unless --steps says otherwise: the driver's steps cost far more. */
const DEFAULT_STEPS = { core: 1_500, driver: 600 } as const;

/** Runs one seed in the chosen simulation. */
async function runOne(options: SimArgs, seed: number, nodes: 3 | 5, steps: number): Promise<void> {
  if (options.core) runSimulation({ seed, nodes, steps });
  else await runDriverSimulation({ seed, nodes, steps });
}

/** CLI: runs a range of seeds and prints `N seeds passed` or the failing seed and its replay. */
async function main(): Promise<number> {
  let options: SimArgs;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const steps = options.steps ?? (options.core ? DEFAULT_STEPS.core : DEFAULT_STEPS.driver);
  const startedMs = performance.now();
  for (let offset = 0; offset < options.seeds; offset += 1) {
    const seed = options.start + offset;
    const nodes = options.nodes ?? (seed % 2 === 0 ? 3 : 5);
    try {
      await runOne(options, seed, nodes, steps);
    } catch (error) {
      if (!(error instanceof SimulationFailure)) throw error;
      process.stdout.write(`${error.message}\nreplay: npm run sim -- ${options.core ? '--core ' : ''}--seeds 1 ` +
        `--start ${seed} --nodes ${nodes} --steps ${steps}\n`);
      return 1;
    }
    if ((offset + 1) % (options.core ? 100 : 10) === 0) {
      const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
      process.stdout.write(`${offset + 1}/${options.seeds} seeds passed (${seconds} s)\n`);
    }
  }
  process.stdout.write(`${options.seeds} seeds passed\n`);
  return 0;
}

process.exitCode = await main();
