import { ChronosError } from '../lib/errors.js';

/** The error of a command whose back end is not wired into the CLI yet. */
export function notAvailable(what: string): ChronosError {
  return new ChronosError('UNSUPPORTED', `${what} is not available yet in this build`);
}
