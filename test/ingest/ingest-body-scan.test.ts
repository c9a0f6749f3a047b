import { describe, expect, it } from 'vitest';
import { scanIngestBody } from '../../src/ingest/ingest-body-scan.js';
import { parseIngestBody } from '../../src/ingest/reading.js';
import type { ReadingColumns } from '../../src/ingest/reading-columns.js';
import { Random } from '../../src/lib/random.js';

/** What the JSON path gives for a body: its readings, or the reason it refuses the body. */
function viaJson(text: string): ReadingColumns | string {
  try {
    const parsed: unknown = JSON.parse(text);
    return parseIngestBody(parsed);
  } catch (error) {
    return String(error);
  }
}

/** Half the bodies are drawn clean (usual names and numbers), so the scanner reads many of them. */
let clean = false;
const odd = (random: Random, rate: number): boolean => !clean && random.chance(rate);

const space = (random: Random): string => (random.chance(0.7) ? '' : random.pick([' ', '\n', '\t ', '\r\n  ']));

/** A JSON number text: integers, -0, fractions, exponents, beyond safe integers, and a few invalid ones. */
function numberText(random: Random, integer: boolean): string {
  if (!integer && random.chance(0.1)) {
    // Many digits: where summing digit by digit in a double stops being exact.
    const digits = Array.from({ length: 14 + random.int(9) }, () => random.int(10)).join('').replace(/^0+/, '') || '7';
    const point = random.int(digits.length);
    return point === 0 ? digits : `${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  if (!odd(random, 0.45)) return String(integer ? random.int(2_000_000_000) : random.int(100_000) / 100);
  return random.pick(['-0', '0', '-17', '1.0', '1e3', '2E-2', '1.5e+2', '123456789012345', '1234567890123456',
    '9007199254740993', '-9007199254740991', '1e400', '01', '1.', '.5', '+1', '-', '0x10', 'NaN', '"5"', 'null', 'true',
    '12345678901234567890', '0.1', '-0.0']);
}

const NAMES = ['temp', 'humidity', 'é', 'x y', '\u{1f600}', 'toString', 'constructor', '__proto__', '_t', '1', '10', '-1', '',
  'a\\"b', 'tab\there', 'a\\u0041'];
const DEVICES = ['esp-001', 'esp-010', 'é', '', 'a\\nb', 'dev\u0001', '\u{1f600}'];

function stringText(random: Random, options: readonly string[]): string {
  return `"${random.pick(options)}"`;
}

function metricsText(random: Random): string {
  const count = (odd(random, 0.1) ? 0 : random.int(4)) + (odd(random, 0.1) ? 0 : 1);
  const usual = ['temp', 'humidity', 'pressure', 'co2'];
  const pairs = Array.from({ length: count }, (_, i) => {
    const name = odd(random, 0.2) ? random.pick(NAMES) : clean ? usual[i] as string : random.pick(usual);
    return `${space(random)}${stringText(random, [name])}${space(random)}:${space(random)}${numberText(random, false)}${space(random)}`;
  });
  if (odd(random, 0.03)) return random.pick(['[]', 'null', '5', '{"t": {"x": 1}}']);
  return `{${pairs.join(',')}}`;
}

function payloadText(random: Random): string {
  const fields: [string, string][] = [
    ['device_id', !odd(random, 0.1) ? `"esp-${String(random.int(200)).padStart(3, '0')}"` : stringText(random, DEVICES)],
    ['ts', numberText(random, true)],
    ['seq', numberText(random, true)],
    ['metrics', metricsText(random)],
  ];
  if (odd(random, 0.05)) fields.splice(random.int(fields.length), 1);
  if (odd(random, 0.05)) fields.push(random.pick<[string, string]>([['ts', '1'], ['extra', '1'], ['device_id', '"esp-9"'], ['__proto__', '1'], ['metrics', '{"co2": 1}']]));
  if (random.chance(0.3)) fields.sort(() => random.int(3) - 1);
  const body = fields.map(([key, value]) => `${space(random)}"${key}"${space(random)}:${space(random)}${value}${space(random)}`);
  return `{${body.join(',')}}`;
}

function bodyText(random: Random): string {
  const roll = random.int(100);
  let text = roll < 20 ? payloadText(random)
    : `[${space(random)}${Array.from({ length: random.int(6) + (odd(random, 0.05) ? 0 : 1) }, () => payloadText(random)).join(`,${space(random)}`)}${space(random)}]`;
  if (odd(random, 0.03)) text = text.slice(0, random.int(text.length));
  if (odd(random, 0.03)) text = random.pick(['\ufeff', 'x', '']) + text + random.pick(['', ' ,', ']', '{}']);
  return `${space(random)}${text}${space(random)}`;
}

describe('reading an ingest body from its bytes (scanIngestBody)', () => {
  it('answers what JSON.parse and parseIngestBody give, or leaves the body to them', () => {
    const random = new Random(1616);
    let scanned = 0;
    const trials = 4000;
    for (let trial = 0; trial < trials; trial++) {
      clean = random.chance(0.5);
      const text = bodyText(random);
      const result = scanIngestBody(Buffer.from(text));
      if (result === null) continue;
      scanned++;
      expect(result, text).toEqual(viaJson(text));
    }
    // The generator must also draw plenty of bodies the scanner reads.
    expect(scanned).toBeGreaterThan(trials / 4);
  });

  it('reads the guide payload and an array of them, and decodes UTF-8 (invalid bytes as JSON.parse of the text would)', () => {
    const guide = '{"device_id":"esp-001","ts":1733856000,"seq":42,"metrics":{"temp":30.5,"humidity":40.2}}';
    expect(scanIngestBody(Buffer.from(guide))).toEqual(viaJson(guide));
    const array = `[${guide}, ${guide.replace('esp-001', 'ésp-\u{1f600}')}]`;
    expect(scanIngestBody(Buffer.from(array))).toEqual(viaJson(array));
    const invalid = Buffer.concat([Buffer.from('{"device_id":"a'), Buffer.from([0xc3, 0xff, 0xe2]), Buffer.from('","ts":1,"seq":1,"metrics":{"t":1}}')]);
    expect(scanIngestBody(invalid)).toEqual(viaJson(invalid.toString('utf8')));
  });
});
