/** A field's value with the column type it stores as (`1i` and `1u` are INT, `1` is FLOAT). */
export type FieldValue =
  | { readonly type: 'FLOAT'; readonly value: number }
  | { readonly type: 'INT'; readonly value: number | bigint }
  | { readonly type: 'STRING'; readonly value: string }
  | { readonly type: 'BOOLEAN'; readonly value: boolean };

/**
 * One line of InfluxDB line protocol, as it is stored: names lower-cased (SQL names are), tags
 * sorted by key, the time in nanoseconds since the epoch.
 */
export interface Point {
  readonly measurement: string;
  readonly tags: readonly (readonly [string, string])[];
  readonly fields: readonly (readonly [string, FieldValue])[];
  readonly timeNs: bigint;
}

/** The identity of a point's series within its table: its sorted tags as `k=v,k=v` (`\` escapes `\ , =`). */
export function seriesKey(tags: Point['tags']): string {
  return tags.map(([key, value]) => `${escapeSeries(key)}=${escapeSeries(value)}`).join(',');
}

function escapeSeries(text: string): string {
  return text.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** The column names every measurement table starts with, which tags and fields may not take. */
export const SERIES_COLUMN = 'series';
export const TIME_COLUMN = 'ts';
