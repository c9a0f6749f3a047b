import type { JournalCodec } from './journal-record.js';
import type { Reading } from './reading.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The `/ingest` journal's records: a request's readings as UTF-8 JSON [device, ts, seq, metric, value] tuples. */
export const READINGS_CODEC: JournalCodec<readonly Reading[]> = {
  encode(readings) {
    return encoder.encode(JSON.stringify(readings.map((r) => [r.deviceId, r.ts, r.seq, r.metric, r.value])));
  },
  decode(payload) {
    try {
      const tuples: unknown = JSON.parse(decoder.decode(payload));
      if (!Array.isArray(tuples)) return null;
      return tuples.map((tuple: unknown): Reading => {
        const [deviceId, ts, seq, metric, value] = tuple as [string, number, number, string, number];
        return { deviceId, ts, seq, metric, value };
      });
    } catch {
      return null;
    }
  },
  weight: (readings) => readings.length,
};
