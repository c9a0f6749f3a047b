import { describe, expect, it } from 'vitest';
import { connectionReason } from '../../src/transport/grpc-status.js';

describe('connectionReason', () => {
  it.each([
    ['No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ',
      'connection refused (is the node running, and is this its gRPC port?)'],
    ['No connection established. Last error: Error: getaddrinfo ENOTFOUND nohost. Resolution note: ',
      'host name not found'],
    ['Connection dropped. Resolution note: ', 'Connection dropped.'],
    ['No connection established. Last error: Protocol error (2026-12-05T09:10:37.014Z).',
      'it does not speak gRPC (is this the admin HTTP port? gRPC is the --address port, admin HTTP that port + 1000)'],
    ['write EPIPE', 'write EPIPE'],
  ])('turns %j into %j', (details, reason) => {
    expect(connectionReason(details)).toBe(reason);
  });
});
