import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';

/** True when a LevelDB open failed (at any depth of its causes) on a LOCK another process holds. */
export function isLockHeldError(error: unknown): boolean {
  let cause: unknown = error;
  for (let depth = 0; depth < 5 && cause instanceof Error; depth += 1) {
    const code = (cause as { code?: unknown }).code;
    if (code === 'LEVEL_LOCKED' || /already held|temporarily unavailable/i.test(cause.message)) return true;
    cause = cause.cause;
  }
  return false;
}

/** Why a LevelDB open failed, in words an operator can act on: a held lock, or the causes' messages. */
export function openFailureReason(error: unknown): string {
  if (isLockHeldError(error)) return 'it is in use by another process (a running node or session)';
  const messages: string[] = [];
  let cause: unknown = error;
  for (let depth = 0; depth < 5 && cause instanceof Error; depth += 1) {
    if (!messages.includes(cause.message)) messages.push(cause.message);
    cause = cause.cause;
  }
  return messages.join(': ');
}

/**
 * True when another process (a running node or session) holds the LevelDB database in `dir`
 * open. Probes by opening it, which takes the same LOCK the holder has; a dir without a
 * database is not in use and nothing is created in it.
 */
export async function levelDirInUse(dir: string): Promise<boolean> {
  if (!existsSync(join(dir, 'CURRENT'))) return false;
  const db = new ClassicLevel(dir, { createIfMissing: false });
  try {
    await db.open();
  } catch (error) {
    if (isLockHeldError(error)) return true;
    // A damaged database is not "in use"; whoever opens it next reports the damage.
    return false;
  }
  await db.close();
  return false;
}
