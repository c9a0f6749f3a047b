import { readFileSync } from 'node:fs';
import { ChronosError } from '../lib/index.js';

/** The version in package.json (src/cli and dist/cli both sit two levels below it). */
export function packageVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(url, 'utf8'));
  } catch (error) {
    throw new ChronosError('CONFIG_ERROR', `cannot read ${url.pathname}`, { cause: error });
  }
  const version = typeof parsed === 'object' && parsed !== null
    ? (parsed as Record<string, unknown>)['version'] : undefined;
  if (typeof version !== 'string') {
    throw new ChronosError('CONFIG_ERROR', `${url.pathname} has no "version" string`);
  }
  return version;
}
