import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/main.js';
import { runCli } from '../../src/cli/main.js';
import { BufferIo } from './buffer-io.js';

interface Seen {
  method: string;
  url: string;
  auth: string | undefined;
  body: string;
}

let server: Server;
let port = 0;
const seen: Seen[] = [];
let healthBody = '{"status":"ok","role":"Leader","term":1,"leader":"node1",' +
  '"commit_index":3,"applied_index":3}';
let healthStatus = 200;

function handle(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
  req.on('end', () => {
    const auth = req.headers.authorization;
    seen.push({ method: req.method ?? '', url: req.url ?? '', auth, body });
    if (req.url === '/health') {
      res.writeHead(healthStatus, { 'content-type': 'application/json' }).end(healthBody);
    } else if (req.url === '/cluster/add-node' || req.url === '/cluster/remove-node') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else {
      res.writeHead(404).end('{"error":"no such route"}');
    }
  });
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function cli(
  argv: string[], env: Record<string, string> = {},
): Promise<{ code: number; io: BufferIo }> {
  const io = new BufferIo();
  const context: CliContext = { io, stdin: process.stdin, stdout: process.stdout, env };
  return { code: await runCli(argv, context), io };
}

describe('chronos admin', () => {
  it('status prints the /health body on one line as sent', async () => {
    healthStatus = 200;
    const { code, io } = await cli(['admin', 'status', '--http', `127.0.0.1:${port}`]);
    expect(code).toBe(0);
    expect(io.out).toBe(healthBody + '\n');
    expect(io.err).toBe('');
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/health', auth: undefined });
  });

  it('status compacts a multi-line JSON body and sends the client token', async () => {
    const previous = healthBody;
    healthBody = '{\n  "status": "ok",\n  "role": "Follower",\n  "term": 5\n}\n';
    const { code, io } = await cli(['admin', 'status', `--http=127.0.0.1:${port}`],
      { CHRONOS_AUTH_TOKEN: 'secret' });
    healthBody = previous;
    expect(code).toBe(0);
    expect(io.out).toBe('{"status":"ok","role":"Follower","term":5}\n');
    expect(seen.at(-1)?.auth).toBe('Bearer secret');
  });

  it('status on an HTTP error exits 1 with one line naming the URL', async () => {
    healthStatus = 401;
    const previous = healthBody;
    healthBody = '{"error":"missing bearer token"}';
    const { code, io } = await cli(['admin', 'status', '--http', `127.0.0.1:${port}`]);
    healthStatus = 200;
    healthBody = previous;
    expect(code).toBe(1);
    expect(io.out).toBe('');
    expect(io.err).toBe(
      `Error: http://127.0.0.1:${port}/health answered HTTP 401: missing bearer token ` +
      '(set CHRONOS_AUTH_TOKEN or CHRONOS_AUTH_TOKEN_ADMIN)\n');
  });

  it('status of an unreachable node is one error line, exit 1', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { code, io } = await cli(['admin', 'status', '--http', `127.0.0.1:${freePort}`]);
    expect(code).toBe(1);
    expect(io.err).toBe(`Error: cannot reach http://127.0.0.1:${freePort}/health: ECONNREFUSED\n`);
  });

  it('uses https when CHRONOS_TLS_CA_CERT is set, and names a missing CA file', async () => {
    const { code, io } = await cli(['admin', 'status', '--http', `127.0.0.1:${port}`],
      { CHRONOS_TLS_CA_CERT: '/nonexistent/ca.crt' });
    expect(code).toBe(1);
    expect(io.err).toMatch(
      /^Error: cannot read CHRONOS_TLS_CA_CERT file '\/nonexistent\/ca.crt': .*ENOENT.*\n$/);
  });

  it('add-node and remove-node post to the membership endpoints', async () => {
    const http = `127.0.0.1:${port}`;
    const add = await cli(['admin', 'add-node', 'node4=10.0.0.4:8003', '--http', http]);
    expect(add.code).toBe(0);
    expect(add.io.out).toBe('{"status":"ok"}\n');
    expect(seen.at(-1)).toMatchObject({
      method: 'POST', url: '/cluster/add-node', body: '{"id":"node4","address":"10.0.0.4:8003"}',
    });
    const remove = await cli(['admin', 'remove-node', 'node4', '--http', `127.0.0.1:${port}`]);
    expect(remove.code).toBe(0);
    expect(seen.at(-1)).toMatchObject({ url: '/cluster/remove-node', body: '{"id":"node4"}' });
  });

  it('admin without a subcommand, or an unknown one, is a usage error (exit 2)', async () => {
    const none = await cli(['admin']);
    expect(none.code).toBe(2);
    expect(none.io.err).toBe("Error: 'chronos admin' needs a subcommand: status, add-node, " +
      "remove-node (see 'chronos admin --help')\n");
    const bad = await cli(['admin', 'stats', '--http', 'h:1']);
    expect(bad.code).toBe(2);
    expect(bad.io.err).toContain("has no subcommand 'stats'");
    const missing = await cli(['admin', 'status']);
    expect(missing.code).toBe(2);
    expect(missing.io.err).toBe("Error: --http is required (see 'chronos admin status --help')\n");
  });
});

describe('runCli dispatch', () => {
  it('--version prints the package version', async () => {
    const { code, io } = await cli(['--version']);
    expect(code).toBe(0);
    expect(io.out).toMatch(/^chronos \d+\.\d+\.\d+\n$/);
  });

  it('--help and no arguments', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.io.out).toContain('Usage: chronos <COMMAND>');
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.io.err).toContain('Usage: chronos <COMMAND>');
  });

  it('an unknown command is one line, exit 2', async () => {
    const { code, io } = await cli(['frobnicate']);
    expect(code).toBe(2);
    expect(io.err).toBe("Error: unknown command 'frobnicate' (see 'chronos --help')\n");
  });

  it('each command prints its help', async () => {
    for (const argv of [['node', '--help'], ['client', '-h'], ['single-node', '--help'],
      ['admin', 'status', '--help'], ['snapshot', 'restore', '--help'], ['snapshot', '--help']]) {
      const { code, io } = await cli(argv);
      expect(code).toBe(0);
      expect(io.out).toMatch(/Usage: chronos /);
    }
  });
});
