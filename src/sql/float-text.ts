/** Decimal exponents written without an exponent: [-4, 15), printf's %g limits, as PostgreSQL. */
const PLAIN_EXPONENT_MIN = -4;
const PLAIN_EXPONENT_LIMIT = 15;

/**
 * A FLOAT as SQL text (CAST to TEXT, concat), as PostgreSQL writes a double: the shortest
 * digits that read back to the same double; plain while the decimal exponent is in [-4, 15)
 * (`0.0001`, `123456789012345`, `3`), else `d.ddde+XX` with two exponent digits at least
 * (`1e-05`, `1e+15`, `2.5e+300`); `NaN`, `Infinity`, `-Infinity`. -0 is `0`: SQL makes
 * -0.0 = 0.0, and the client prints it so too.
 */
export function floatText(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  // toExponential() without a digit count gives the shortest digits that round-trip.
  const [mantissa = '', exponentText = ''] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  const sign = value < 0 ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exponent < PLAIN_EXPONENT_MIN || exponent >= PLAIN_EXPONENT_LIMIT) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const magnitude = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${digits.slice(0, 1)}${fraction}e${exponent < 0 ? '-' : '+'}${magnitude}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.padEnd(exponent + 1, '0');
  const fraction = whole.slice(exponent + 1);
  return `${sign}${whole.slice(0, exponent + 1)}${fraction === '' ? '' : `.${fraction}`}`;
}
