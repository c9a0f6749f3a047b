import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { ServerTarget } from '../../src/cli/server-target.js';
import { callNeverSent } from '../../src/transport/forward-failure.js';
import { freeNodePort } from '../helpers/ports.js';
import { health, signalNode, startNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A one-node cluster in a real process, and a `chronos client --leader` target already connected to it. */
async function connectedNode(): Promise<{ node: NodeProcess; target: ServerTarget }> {
  const dir = await mkdtemp(join(tmpdir(), 'chronos-cut-off-'));
  const node = startNode({ id: 'n1', dataDir: dir, port: await freeNodePort(), peers: new Map() });
  cleanups.push(async () => {
    await stopNode(node);
    await rm(dir, { recursive: true, force: true });
  });
  await waitFor('a leader', 20_000, async () => ((await health(node))?.role === 'Leader' ? true : null));
  const target = new ServerTarget(`127.0.0.1:${node.port}`, {}, () => undefined);
  cleanups.push(() => target.close());
  await target.execute('CREATE TABLE t (id INT PRIMARY KEY)');
  return { node, target };
}

/**
 * Sends `sql` to a node that is stopped (SIGSTOP) with the client's connection already open,
 * so the request is on the wire, then kills it (SIGKILL): the write may or may not be in its
 * log, exactly as a `kill -9` in the middle of a write.
 */
async function killedWithCallInFlight(sql: string): Promise<Error> {
  const { node, target } = await connectedNode();
  signalNode(node, 'SIGSTOP');
  const failure = target.execute(sql).then(() => new Error('expected a failure'), (error: Error) => error);
  // No condition to wait for: the stopped node cannot say it received the bytes, and grpc-js
  // does not say when they left. Writing to an open loopback socket takes microseconds.
  await new Promise((resolve) => setTimeout(resolve, 300));
  signalNode(node, 'SIGKILL');
  await node.exited();
  return failure;
}

describe('chronos client: a write cut off by kill -9 of its node', () => {
  it('says the outcome is unknown, not that the node could not be reached', async () => {
    // Before: "cannot reach 127.0.0.1:P: connection reset" (grpc-js UNAVAILABLE "read ECONNRESET").
    const error = await killedWithCallInFlight('INSERT INTO t VALUES (1)');
    expect(error.message).toMatch(new RegExp(
      '^outcome unknown, the write may or may not have been applied \\(check before retrying\\): ' +
      'the connection to 127\\.0\\.0\\.1:\\d+ broke after the statement was sent \\(connection reset\\)$'));
    expect(error).toMatchObject({ code: 'OUTCOME_UNKNOWN' });
  }, 40_000);

  it('keeps "cannot reach" for a read cut off the same way', async () => {
    const error = await killedWithCallInFlight('SELECT * FROM t');
    expect(error.message).toMatch(/^cannot reach 127\.0\.0\.1:\d+: /);
  }, 40_000);
});

describe('callNeverSent, on what grpc-js 1.14 answered in real runs', () => {
  it('tells a call that never left from one that may have reached the server', () => {
    // The node SIGKILLed with the call sent on an open connection.
    expect(callNeverSent(status.UNAVAILABLE, 'read ECONNRESET')).toBe(false);
    expect(callNeverSent(status.UNAVAILABLE, 'Connection dropped')).toBe(false);
    // The node SIGSTOPped before the connection was set up, then SIGKILLed.
    expect(callNeverSent(status.UNAVAILABLE, 'No connection established. Last error: read ECONNRESET ' +
      '(2026-12-05T18:55:11.887Z). Resolution note: ')).toBe(true);
    // Nothing listening.
    expect(callNeverSent(status.UNAVAILABLE, 'No connection established. Last error: Error: connect ' +
      'ECONNREFUSED 127.0.0.1:18431. Resolution note: ')).toBe(true);
    // A stopped node with the connection open: the deadline passed after sending.
    expect(callNeverSent(status.DEADLINE_EXCEEDED, 'Deadline exceeded after 1.502s,metadata filters: ' +
      '0.001s,remote_addr=127.0.0.1:18432')).toBe(false);
  });
});
