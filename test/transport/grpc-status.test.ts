import { describe, expect, it } from 'vitest';
import { connectionReason } from '../../src/transport/grpc-status.js';

describe('connectionReason', () => {
  it.each([
    ['No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ',
      'connection refused (is the node running, and is this its gRPC port?)'],
    ['No connection established. Last error: Error: getaddrinfo ENOTFOUND nohost. Resolution note: ',
      'host name not found'],
    ['Connection dropped. Resolution note: ', 'Connection dropped.'],
    ['write EPIPE', 'write EPIPE'],
  ])('turns %j into %j', (details, reason) => {
    expect(connectionReason(details)).toBe(reason);
  });
});
