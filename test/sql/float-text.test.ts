import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { castValue } from '../../src/sql/cast.js';
import { floatText } from '../../src/sql/float-text.js';

/** A double from drawn bits: every exponent, subnormals, ±0, NaN and the infinities included. */
function drawDouble(rng: Random): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, rng.nextU32());
  view.setUint32(4, rng.nextU32());
  return view.getFloat64(0);
}

/** A short decimal such as 2.5e-7 or 1234.5: the values SQL texts mostly hold. */
function drawDecimal(rng: Random): number {
  const digits = rng.between(1, 99_999);
  return Number(`${rng.chance(0.5) ? '-' : ''}${digits}e${rng.between(-25, 25)}`);
}

/** A non-finite FLOAT's text in the spellings PostgreSQL reads: any case, a sign, spaces around. */
function drawNonFiniteText(rng: Random): { text: string; value: number } {
  const word = ['nan', 'inf', 'infinity'][rng.int(3)] ?? 'nan';
  const sign = word === 'nan' ? '' : ['', '+', '-'][rng.int(3)] ?? '';
  const cased = [...word].map((c) => (rng.chance(0.5) ? c.toUpperCase() : c)).join('');
  const text = `${' '.repeat(rng.int(3))}${sign}${cased}${' '.repeat(rng.int(3))}`;
  const value = word === 'nan' ? Number.NaN : sign === '-' ? -Infinity : Infinity;
  return { text, value };
}

describe('a FLOAT as text and back', () => {
  it('reads back every drawn double it writes, in PostgreSQL\'s form', () => {
    const rng = new Random(20261205);
    for (let i = 0; i < 20_000; i++) {
      const value = i % 2 === 0 ? drawDouble(rng) : drawDecimal(rng);
      const text = floatText(value);
      // Plain digits while the exponent is in [-4, 15), else d.ddde±XX; -0 is written 0.
      expect(text, String(value)).toMatch(/^(NaN|-?Infinity|-?\d+(\.\d+)?|-?\d(\.\d+)?e[+-]\d{2,3})$/);
      if (Number.isFinite(value) && value !== 0) {
        const exponent = Number(value.toExponential().split('e')[1]);
        expect(text.includes('e'), `${value} -> ${text}`).toBe(exponent < -4 || exponent >= 15);
      }
      const back = castValue(text, 'FLOAT', 'STRING');
      expect(Object.is(back, value === 0 ? 0 : value), `${value} -> ${text} -> ${String(back)}`).toBe(true);
    }
  });

  it('reads the non-finite words in every spelling PostgreSQL takes', () => {
    const rng = new Random(7);
    for (let i = 0; i < 500; i++) {
      const { text, value } = drawNonFiniteText(rng);
      expect(Object.is(castValue(text, 'FLOAT', 'STRING'), value), JSON.stringify(text)).toBe(true);
    }
  });
});
