import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { SyncClient } from '../../src/api/grpc/index.js';
import { isChronosError } from '../../src/lib/index.js';
import { freeNodePort } from '../helpers/ports.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a call reached a server (any answer but gRPC's UNAVAILABLE: an empty server says UNIMPLEMENTED). */
async function reaches(client: SyncClient): Promise<boolean> {
  return client.sync('edge1', []).then(() => true, (error: unknown) =>
    !isChronosError(error) || (error.details as { grpcStatus?: number } | undefined)?.grpcStatus !== status.UNAVAILABLE);
}

/**
 * A channel whose server was away reconnects within about a second of its return. grpc-js's own
 * backoff starts at 1 s and doubles to 120 s, and a call made before its next attempt fails with
 * the old connect error: an edge whose cloud was down two minutes went on failing 40 s after
 * the cloud was back.
 */
describe('client channels after their server was away', () => {
  let server: Server | null = null;
  afterEach(() => {
    server?.forceShutdown();
    server = null;
  });

  it('reach a server back after 12 s of refused connects within 2 s', async () => {
    const port = await freeNodePort();
    const client = new SyncClient({ address: `127.0.0.1:${port}`, tls: null, token: null });
    try {
      // An edge retrying: calls for 12 s, every one refused (the default backoff reaches ~6.5 s).
      for (const until = Date.now() + 12_000; Date.now() < until;) {
        expect(await reaches(client)).toBe(false);
        await sleep(500);
      }
      // Any server will do: with no services it answers UNIMPLEMENTED, which is reaching it.
      const started = new Server();
      server = started;
      await new Promise<void>((resolve, reject) => started.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(),
        (error) => (error === null ? resolve() : reject(error))));
      const back = Date.now();
      let reached = false;
      while (!reached && Date.now() - back < 10_000) {
        reached = await reaches(client);
        if (!reached) await sleep(100);
      }
      expect(reached).toBe(true);
      expect(Date.now() - back).toBeLessThan(2_000);
    } finally {
      client.close();
    }
  }, 40_000);
});
