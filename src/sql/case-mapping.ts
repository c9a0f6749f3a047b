/** Text with nothing beyond ASCII, where JavaScript's case mapping is one character for one. */
const ASCII = /^[\x00-\x7f]*$/;

/**
 * `text` upper- or lower-cased one character at a time, as PostgreSQL does in a UTF-8 locale
 * (the C library maps each character on its own): a character whose full Unicode mapping is
 * several characters (ß to SS, ŉ to ʼN, İ to i̇) or depends on its neighbours (a final Σ) is
 * mapped as it is alone, or kept.
 */
export function caseMapped(text: string, to: 'upper' | 'lower'): string {
  if (ASCII.test(text)) return to === 'upper' ? text.toUpperCase() : text.toLowerCase();
  let out = '';
  for (const character of text) {
    const mapped = to === 'upper' ? character.toUpperCase() : character.toLowerCase();
    out += mapped.length === character.length ? mapped : character;
  }
  return out;
}
