import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlClient } from '../../src/api/grpc/index.js';
import { freeNodePort } from '../helpers/ports.js';
import { CHRONOS_BIN, health, startNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';

/** Pipes `input` into `chronos client --leader` and returns exit code and output. */
function clientWithStdin(address: string, input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CHRONOS_BIN, 'client', '--leader', address], (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (typeof error.code === 'number' ? error.code : 1), stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

describe('transactions over gRPC, where a call has no session', () => {
  let dir = '';
  let node: NodeProcess;
  let client: SqlClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-tx-'));
    const port = await freeNodePort();
    node = startNode({ id: 'node1', dataDir: dir, port, peers: new Map() });
    client = new SqlClient({ address: `127.0.0.1:${port}`, tls: null, token: null });
    await waitFor('leader', 15_000, async () => ((await health(node))?.role === 'Leader' ? true : null));
    await client.execute('CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL)');
    await client.execute('INSERT INTO accounts VALUES (1, 100), (2, 0)');
  });
  afterAll(async () => {
    client.close();
    await stopNode(node);
    await rm(dir, { recursive: true, force: true });
  });

  const balances = async (): Promise<unknown> => {
    const result = await client.execute('SELECT id, balance FROM accounts ORDER BY id');
    return result.kind === 'rows' ? result.rows : null;
  };

  it('applies BEGIN; ...; COMMIT sent as one request atomically', async () => {
    const result = await client.execute(
      'BEGIN; UPDATE accounts SET balance = balance - 30 WHERE id = 1; UPDATE accounts SET balance = balance + 30 WHERE id = 2; COMMIT;',
    );
    expect(result).toEqual({ kind: 'message', message: 'Transaction committed', rowsAffected: 2 });
    expect(await balances()).toEqual([[1, 70], [2, 30]]);
  });

  it('applies nothing when one statement of the transaction fails', async () => {
    await expect(
      client.execute('BEGIN; UPDATE accounts SET balance = 0 WHERE id = 1; INSERT INTO accounts VALUES (2, 5); COMMIT'),
    ).rejects.toMatchObject({ code: 'DUPLICATE_KEY' });
    expect(await balances()).toEqual([[1, 70], [2, 30]]);
  });

  it('discards a transaction that ends in ROLLBACK and refuses reads inside a script', async () => {
    await expect(client.execute('BEGIN; DELETE FROM accounts; ROLLBACK')).resolves.toMatchObject({
      message: 'Transaction rolled back',
    });
    expect(await balances()).toEqual([[1, 70], [2, 30]]);
    await expect(client.execute('BEGIN; SELECT * FROM accounts; COMMIT')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(client.execute('BEGIN')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('chronos client --leader buffers BEGIN ... COMMIT and applies it at COMMIT', async () => {
    const address = `127.0.0.1:${node.port}`;
    const ok = await clientWithStdin(address, [
      'BEGIN;',
      'UPDATE accounts SET balance = balance - 10 WHERE id = 1;',
      'UPDATE accounts SET balance = balance + 10 WHERE id = 2;',
      'COMMIT;',
      'SELECT sum(balance) FROM accounts;',
    ].join('\n'));
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('Transaction committed');
    expect(await balances()).toEqual([[1, 60], [2, 40]]);
    const rolledBack = await clientWithStdin(address, 'BEGIN;\nDELETE FROM accounts;\nROLLBACK;\n');
    expect(rolledBack.code).toBe(0);
    expect(await balances()).toEqual([[1, 60], [2, 40]]);
  });
});
