import { describe, expect, it } from 'vitest';
import { valueToProto } from '../../src/transport/sql-codec.js';

describe('SQL values as proto Values', () => {
  it.each([
    // The column's type decides: a FLOAT column's value is a float_value whatever carried it.
    [9007199254740993n, 'FLOAT', { floatValue: 9007199254740992 }],
    [30, 'FLOAT', { floatValue: 30 }],
    [9007199254740993n, 'INT', { intValue: '9007199254740993' }],
    [30, 'INT', { intValue: '30' }],
  ] as const)('%s in a %s column is %o', (value, type, proto) => {
    expect(valueToProto(value, type)).toEqual(proto);
  });
});
