import { appendAll, Random } from '../lib/index.js';
import { ByteReader, ByteWriter, decimalScaling, readChimpFloats, readXorFloats, writeChimpFloats, writeXorFloats } from '../storage/index.js';
import { figure } from './report.js';
import type { Figure } from './report.js';
import { summarize } from './stats.js';

const GROUP = 'floats';
/** Values per block, as the engine's blocks hold (blockRows). */
const BLOCK_VALUES = 1024;
const BLOCKS = 100;
const RUNS = 7;

/** A FLOAT codec as the column codec calls it. */
interface FloatCodec {
  readonly name: string;
  write(writer: ByteWriter, values: Float64Array): void;
  read(reader: ByteReader, count: number): Float64Array;
}

const CODECS: readonly FloatCodec[] = [
  { name: 'XOR', write: writeXorFloats, read: readXorFloats },
  { name: 'Chimp', write: writeChimpFloats, read: readChimpFloats },
];

/**
 * Series the decimal codec does not take (checked), one Float64Array per 1024-value block:
 * what sensors give once a computation touched them, and doubles with many digits.
 */
const SERIES: Readonly<Record<string, (random: Random, i: number) => number>> = {
  // iot-1m's temperature shape, converted to Fahrenheit: two decimals become a computed double.
  'temp in °F (computed from 2-decimal °C)': (random, i) =>
    (Math.round((20 + 5 * Math.sin(i / 50) + (random.nextU32() / 2 ** 32 - 0.5) * 0.5) * 100) / 100) * 9 / 5 + 32,
  'smooth sensor + noise (full precision)': (random, i) => 50 + 10 * Math.cos(i / 80) + random.nextU32() / 2 ** 32,
  'GPS degrees (8 decimals)': (random, i) => Math.round((52.52 + i * 1e-6 + random.int(100) * 1e-7) * 1e8) / 1e8,
  'running average (i/3-like ratios)': (_random, i) => (i % 500) / 3 + 1 / 7,
  'random walk, repeats 30%': (() => {
    let walk = 100;
    return (random: Random) => (random.chance(0.3) ? walk : (walk += (random.nextU32() / 2 ** 32 - 0.5) / 3));
  })(),
};

function blocksOf(draw: (random: Random, i: number) => number, seed: number): Float64Array[] {
  const random = new Random(seed);
  let i = 0;
  return Array.from({ length: BLOCKS }, () => Float64Array.from({ length: BLOCK_VALUES }, () => draw(random, i++)));
}

/** Median ns per value of `run` over the blocks, after one warm-up pass. */
function nsPerValue(blocks: readonly Float64Array[], run: (block: Float64Array, index: number) => void): number[] {
  const samples: number[] = [];
  for (let r = -1; r < RUNS; r++) {
    const began = process.hrtime.bigint();
    blocks.forEach(run);
    const ns = Number(process.hrtime.bigint() - began);
    if (r >= 0) samples.push(ns / (BLOCKS * BLOCK_VALUES));
  }
  return samples;
}

function encoded(codec: FloatCodec, block: Float64Array): Uint8Array {
  const writer = new ByteWriter(BLOCK_VALUES * 8);
  codec.write(writer, block);
  return writer.finish();
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  const x = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const y = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((bits, i) => bits === y[i]);
}

/** Bytes per value and encode/decode ns per value of one codec on one series (round-trip checked). */
function codecFigures(series: string, codec: FloatCodec, blocks: readonly Float64Array[]): Figure[] {
  const bytes = blocks.map((block) => encoded(codec, block));
  blocks.forEach((block, b) => {
    const decoded = codec.read(new ByteReader(bytes[b] as Uint8Array, 'bench'), block.length);
    if (!sameBits(decoded, block)) throw new Error(`floats: ${codec.name} changed a value of '${series}'`);
  });
  const total = bytes.reduce((sum, block) => sum + block.length, 0);
  const name = `${series}: ${codec.name}`;
  return [
    figure(GROUP, `${name} size`, 'B/value', summarize([total / (BLOCKS * BLOCK_VALUES)])),
    figure(GROUP, `${name} encode`, 'ns/value', summarize(nsPerValue(blocks, (block) => encoded(codec, block)))),
    figure(GROUP, `${name} decode`, 'ns/value', summarize(nsPerValue(blocks, (block, b) => {
      codec.read(new ByteReader(bytes[b] as Uint8Array, 'bench'), block.length);
    }))),
  ];
}

/** Bytes per value if each block took the smaller of XOR and Chimp. */
function smallerOfBoth(blocks: readonly Float64Array[]): Figure {
  const total = blocks.reduce((sum, block) =>
    sum + Math.min(...CODECS.map((codec) => encoded(codec, block).length)), 0);
  return figure(GROUP, 'the smaller of both per block size', 'B/value', summarize([total / (BLOCKS * BLOCK_VALUES)]));
}

/**
 * XOR vs Chimp on FLOAT series that the decimal codec refuses: bytes per value (1024-value
 * blocks, as the engine writes them) and encode/decode ns per value, medians of 7 runs.
 */
export function runFloatCodecSuite(log: (line: string) => void): Figure[] {
  const figures: Figure[] = [];
  Object.entries(SERIES).forEach(([series, draw], s) => {
    log(`floats: ${series}`);
    const blocks = blocksOf(draw, 1000 + s);
    if (blocks.some((block) => decimalScaling(block) !== undefined)) throw new Error(`floats: '${series}' is decimal`);
    for (const codec of CODECS) appendAll(figures, codecFigures(series, codec, blocks));
    const smaller = smallerOfBoth(blocks);
    figures.push({ ...smaller, name: `${series}: ${smaller.name}` });
  });
  return figures;
}
