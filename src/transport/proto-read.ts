import { ChronosError } from '../lib/index.js';

/**
 * Narrowing of objects decoded by @grpc/proto-loader (camelCase keys, 64-bit integers as
 * decimal strings, bytes as Buffer, defaults filled in). protobufjs already enforced the wire
 * types, so a mismatch here means a proto/loader-option drift: it fails loudly, naming the field.
 */
export type ProtoObject = Readonly<Record<string, unknown>>;

function mismatch(field: string, expected: string, value: unknown): ChronosError {
  return new ChronosError(
    'CORRUPTION',
    `gRPC message field ${field}: expected ${expected}, got ${typeof value}`,
    { details: { field } },
  );
}

/** The value as a proto object. */
export function asObject(value: unknown, field: string): ProtoObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw mismatch(field, 'a message', value);
  }
  return value as ProtoObject;
}

/** A string field (proto3 default ''). */
export function readString(message: ProtoObject, field: string): string {
  const value = message[field];
  if (value === undefined) return '';
  if (typeof value !== 'string') throw mismatch(field, 'a string', value);
  return value;
}

/** A bool field (proto3 default false). */
export function readBool(message: ProtoObject, field: string): boolean {
  const value = message[field];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw mismatch(field, 'a boolean', value);
  return value;
}

/** A 64-bit integer field as its exact decimal string. */
export function readInt64Text(message: ProtoObject, field: string): string {
  const value = message[field];
  if (value === undefined) return '0';
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw mismatch(field, 'a 64-bit integer', value);
}

/** A uint64 field that must hold a safe integer (Raft indexes, terms, ids). */
export function readSafeUint(message: ProtoObject, field: string): number {
  const text = readInt64Text(message, field);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ChronosError('CORRUPTION', `gRPC message field ${field}: ${text} is out of range`, {
      details: { field },
    });
  }
  return value;
}

/** A double field. */
export function readDouble(message: ProtoObject, field: string): number {
  const value = message[field];
  if (value === undefined) return 0;
  if (typeof value !== 'number') throw mismatch(field, 'a number', value);
  return value;
}

/** A bytes field, as a fresh Uint8Array view of the decoded buffer. */
export function readBytes(message: ProtoObject, field: string): Uint8Array {
  const value = message[field];
  if (value === undefined) return new Uint8Array(0);
  if (!(value instanceof Uint8Array)) throw mismatch(field, 'bytes', value);
  return value;
}

/** A repeated field. */
export function readArray(message: ProtoObject, field: string): readonly unknown[] {
  const value = message[field];
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw mismatch(field, 'a list', value);
  return value;
}

/** An embedded message field, or null when absent. */
export function readMessage(message: ProtoObject, field: string): ProtoObject | null {
  const value = message[field];
  if (value === undefined || value === null) return null;
  return asObject(value, field);
}
