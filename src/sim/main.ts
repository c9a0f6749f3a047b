import { runSimulation, SimulationFailure } from './simulation.js';

/** Parses `--seeds N [--start S] [--nodes 3|5] [--steps N]`; exits 2 on a bad flag. */
function parseArgs(argv: readonly string[]): { seeds: number; start: number;
  nodes: 3 | 5 | null; steps: number } {
  const options = { seeds: 100, start: 1, nodes: null as 3 | 5 | null, steps: 1_500 };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = Number(argv[i + 1]);
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`flag ${flag ?? ''} needs a non-negative integer, got ${argv[i + 1] ?? ''}`);
    }
    if (flag === '--seeds') options.seeds = value;
    else if (flag === '--start') options.start = value;
    else if (flag === '--steps') options.steps = value;
    else if (flag === '--nodes' && (value === 3 || value === 5)) options.nodes = value;
    else throw new Error(`unknown flag ${flag ?? ''} (use --seeds N --start S --nodes 3|5)`);
  }
  return options;
}

/** CLI: runs a range of seeds and prints `N seeds passed` or the failing seed. */
function main(): number {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const startedMs = performance.now();
  for (let offset = 0; offset < options.seeds; offset += 1) {
    const seed = options.start + offset;
    const nodes = options.nodes ?? (seed % 2 === 0 ? 3 : 5);
    try {
      runSimulation({ seed, nodes, steps: options.steps });
    } catch (error) {
      if (!(error instanceof SimulationFailure)) throw error;
      process.stdout.write(`${error.message}\nreplay: node dist/sim/main.js --seeds 1 ` +
        `--start ${seed} --nodes ${nodes} --steps ${options.steps}\n`);
      return 1;
    }
    if ((offset + 1) % 100 === 0) {
      const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
      process.stdout.write(`${offset + 1}/${options.seeds} seeds passed (${seconds} s)\n`);
    }
  }
  process.stdout.write(`${options.seeds} seeds passed\n`);
  return 0;
}

process.exitCode = main();
