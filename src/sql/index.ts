export type { Statement, Expr, SelectStatement } from './ast.js';
export { parseStatement } from './parse.js';
export { parsedStatements } from './parsed-statements.js';
export { encodeInsertsAhead } from './insert-ahead.js';
export { encodeWriteCommand, decodeWriteCommand } from './command.js';
export type { WriteCommand } from './command.js';
export {
  classify,
  executeRead,
  applyWriteCommand,
  executeInTransaction,
  explain,
} from './execute.js';
export type { StatementClass, WriteOutcome } from './execute.js';
export { Session } from './session.js';
export type { StatementExecutor } from './session.js';
export { dryRun } from './dry-run.js';
export type { StatementResult, RowsResult, MessageResult } from './result.js';
export { positionAt, splitStatements } from './split-statements.js';
export type { TextPosition } from './split-statements.js';
export type { SplitResult, OpenConstruct } from './split-statements.js';
export { planScript } from './script.js';
export type { Script } from './script.js';
export { sweepExpired } from './ttl-sweep.js';
export { INDEX_BUILDING_NOTE } from './write.js';
export type { SweepOutcome } from './ttl-sweep.js';
export { StatementGuard, DEFAULT_STATEMENT_LIMITS, STATEMENT_TIMEOUT_MS_DEFAULT, MAX_MATERIALIZED_ROWS_DEFAULT, UNLIMITED } from './statement-guard.js';
export type { StatementLimits } from './statement-guard.js';
