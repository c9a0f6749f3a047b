export { runSimulation, runSeed, SimulationFailure } from './simulation.js';
export type { SimOptions, SimResult } from './simulation.js';
export type { SimFaults } from './sim-faults.js';
export { SafetyChecker, InvariantViolation } from './checkers.js';
export { SimNetwork } from './sim-network.js';
export { SimNode } from './sim-node.js';
