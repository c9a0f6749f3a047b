/**
 * Characters built by string functions in this process, counted where each checks its length
 * (string-limit.ts). A row whose expression builds megabytes costs milliseconds, where the
 * statement guard would otherwise count it as one unit like any cheap row and read the clock
 * only hundreds of rows later; the guard adds these characters to its units.
 */
let charactersBuilt = 0;

/** Counts `characters` built. */
export function chargeCharacters(characters: number): void {
  charactersBuilt += characters;
}

/** Characters built so far (compare two readings). */
export function charactersBuiltSoFar(): number {
  return charactersBuilt;
}
