import { ChronosError } from '../lib/index.js';

/**
 * Most bytes of keys and values one transaction may write. LevelDB copies each write into one
 * growing batch, and every time the batch doubles it copies the whole of it on the event loop:
 * at 128 MB one write took 0.39 s, and an INSERT ... SELECT of 160 MB held a node's loop 1.4 s
 * (an election timeout is 0.5-1 s). Under 64 MiB the last doubling takes ~0.19 s. Fixed, not
 * configurable: every replica counts the same writes of the same entry and decides alike (an
 * apply batch holds several entries in one transaction; node/apply.ts retries an entry alone
 * when the entries before it used up the budget).
 */
export const TRANSACTION_WRITE_BYTES_MAX = 60 * 1024 * 1024;

/** Throws LIMIT_EXCEEDED once a transaction's pending writes pass TRANSACTION_WRITE_BYTES_MAX. */
export function checkWriteBytes(bytes: number): void {
  if (bytes <= TRANSACTION_WRITE_BYTES_MAX) return;
  throw new ChronosError('LIMIT_EXCEEDED',
    `statement stopped: the transaction would write more than ${TRANSACTION_WRITE_BYTES_MAX / (1024 * 1024)} MiB ` +
      '(keys and values) in one commit; this statement changed nothing. Write in smaller statements ' +
      '(INSERT ... SELECT ... WHERE key ranges, UPDATE or DELETE by ranges), each its own transaction',
    { details: { bytesMax: TRANSACTION_WRITE_BYTES_MAX } });
}
