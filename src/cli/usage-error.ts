import { ChronosError } from '../lib/index.js';

/** Process exit status of a command line that cannot be run as written (as clap and getopt do). */
export const USAGE_EXIT_CODE = 2;

/** A bad command line: unknown flag, missing or malformed value. Printed as one line, exit 2. */
export class UsageError extends ChronosError {
  override readonly name = 'UsageError';

  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}
