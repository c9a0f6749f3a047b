import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { withCallSignal } from '../../src/api/grpc/call-context.js';
import type { UnaryCall } from '../../src/api/grpc/call-context.js';

// Only 'cancelled' events matter here; grpc-js's call is an EventEmitter that emits them.
const fakeCall = (): EventEmitter => new EventEmitter();
const context = { token: null, user: null, peer: '127.0.0.1:1' } as const;

describe('a call\'s signal', () => {
  it('aborts when the call is cancelled after the statement took the signal', () => {
    const call = fakeCall();
    const { signal } = withCallSignal(call as unknown as UnaryCall, context);
    expect(signal?.aborted).toBe(false);
    call.emit('cancelled');
    expect(signal?.aborted).toBe(true);
    expect(String(signal?.reason)).toMatch(/call ended/);
  });

  it('is already aborted when first asked for after the call was cancelled', () => {
    const call = fakeCall();
    const withSignal = withCallSignal(call as unknown as UnaryCall, context);
    call.emit('cancelled');
    expect(withSignal.signal?.aborted).toBe(true);
  });

  it('keeps the context it was given and stays unaborted while the call lives', () => {
    const withSignal = withCallSignal(fakeCall() as unknown as UnaryCall, context);
    expect(withSignal.peer).toBe('127.0.0.1:1');
    expect(withSignal.signal?.aborted).toBe(false);
    expect(withSignal.signal).toBe(withSignal.signal);
  });
});
