/** PostgreSQL counts time from 2000-01-01, this many unix seconds. */
const POSTGRES_EPOCH_S = 946_684_800;

/**
 * Unix seconds as whole microseconds since the unix epoch, as PostgreSQL's to_timestamp()
 * makes a timestamp of them: the seconds since its own epoch times a million, rounded half to
 * even (rint), so `to_timestamp(0.0000005)` is the epoch itself. A bigint: past year 2255 the
 * microseconds no longer fit a double's 53 bits.
 */
export function unixMicros(seconds: number): bigint {
  const scaled = (seconds - POSTGRES_EPOCH_S) * 1e6;
  const floor = Math.floor(scaled);
  const diff = scaled - floor;
  const rounded = diff > 0.5 || (diff === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
  return BigInt(rounded) + BigInt(POSTGRES_EPOCH_S) * 1_000_000n;
}
