import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { helpText } from '../../src/cli/help.js';
import {
  addNodeOptions, clientOptions, nodeOptions, removeNodeOptions, singleNodeOptions,
  snapshotCreateOptions, snapshotRestoreOptions,
} from '../../src/cli/options.js';
import {
  ADMIN_ADD_NODE_SPEC, ADMIN_REMOVE_NODE_SPEC, CLIENT_SPEC, NODE_SPEC, SINGLE_NODE_SPEC,
  SNAPSHOT_CREATE_SPEC, SNAPSHOT_RESTORE_SPEC,
} from '../../src/cli/specs.js';
import { UsageError } from '../../src/cli/usage-error.js';

const node = (argv: string[]) => nodeOptions(parseArgs(NODE_SPEC, argv));
const client = (argv: string[]) => clientOptions(parseArgs(CLIENT_SPEC, argv));

describe('chronos node flags', () => {
  it('applies the guide defaults', () => {
    expect(node(['-i', 'node1'])).toEqual({
      id: 'node1', dataDir: 'data', address: { host: '127.0.0.1', port: 8000 }, peers: [],
      clean: false, syncTargets: [], syncIntervalSecs: 5, syncBatchSize: 100, syncMaxQueueMb: 256,
      ttlCleanupIntervalSecs: 3600, enableIngest: false,
    });
  });

  it("parses the guide's edge node command line (long flags, space-separated values)", () => {
    const options = node([
      '--id', 'edge1', '--data-dir', '/var/lib/chronos/edge', '--address', '192.168.1.100:8001',
      '--clean', '--sync-target', 'http://10.0.0.10:8000', '--sync-interval-secs', '5',
      '--sync-batch-size', '100', '--enable-ingest',
    ]);
    expect(options).toMatchObject({
      id: 'edge1', dataDir: '/var/lib/chronos/edge', address: { host: '192.168.1.100', port: 8001 },
      clean: true, syncTargets: ['http://10.0.0.10:8000'], enableIngest: true,
    });
  });

  it('accepts --flag=value, short flags, -xVALUE and -x=VALUE', () => {
    const options = node([
      '--id=node2', '-dDIR', '-a=10.0.0.2:8001', '-p', 'node1=10.0.0.1:8000,node3=10.0.0.3:8002',
      '--ttl-cleanup-interval-secs=1800',
    ]);
    expect(options.id).toBe('node2');
    expect(options.dataDir).toBe('DIR');
    expect(options.address).toEqual({ host: '10.0.0.2', port: 8001 });
    expect(options.peers).toEqual([
      { id: 'node1', address: { host: '10.0.0.1', port: 8000 } },
      { id: 'node3', address: { host: '10.0.0.3', port: 8002 } },
    ]);
    expect(options.ttlCleanupIntervalSecs).toBe(1800);
  });

  it('accepts an IPv6 address in brackets and several sync targets', () => {
    const options = node(
      ['-i', 'n', '-a', '[::1]:8000', '--sync-target', 'http://a:8000,https://b:8001']);
    expect(options.address).toEqual({ host: '::1', port: 8000 });
    expect(options.syncTargets).toEqual(['http://a:8000', 'https://b:8001']);
  });

  const bad: [string, string[], RegExp][] = [
    ['missing --id', [], /--id is required/],
    ['--id without value', ['--id'], /--id needs a value <ID>/],
    ['unknown long flag', ['-i', 'n', '--bogus'], /unknown flag '--bogus' for 'chronos node'/],
    ['unknown short flag', ['-i', 'n', '-z'], /unknown flag '-z'/],
    ['switch given a value', ['-i', 'n', '--clean=yes'], /--clean takes no value/],
    ['flag twice', ['-i', 'a', '--id', 'b'], /--id given more than once/],
    ['stray positional', ['-i', 'n', 'extra'], /unexpected argument 'extra'/],
    ['address without port', ['-i', 'n', '-a', '10.0.0.1'], /'10.0.0.1' is not HOST:PORT/],
    ['port out of range', ['-i', 'n', '-a', 'h:0'], /port must be between 1 and 64535/],
    ['admin port would overflow', ['-i', 'n', '-a', 'h:65000'], /between 1 and 64535/],
    ['non-numeric port', ['-i', 'n', '-a', 'h:80a'], /not HOST:PORT/],
    ['peer without =', ['-i', 'n', '-p', 'node2'], /--peers: 'node2' is not id=HOST:PORT/],
    ['peer listed twice', ['-i', 'n', '-p', 'a=h:1,a=h:2'], /node 'a' listed twice/],
    ['peer is self', ['-i', 'a', '-p', 'a=h:1'], /own id 'a'/],
    ['peer bad address', ['-i', 'n', '-p', 'b=h'], /--peers b 'h' is not HOST:PORT/],
    ['id with a slash', ['-i', '../x'], /not a valid node id/],
    ['interval zero', ['-i', 'n', '--sync-interval-secs', '0'], /must be an integer from 1/],
    ['interval negative', ['-i', 'n', '--sync-interval-secs', '-5'], /must be an integer/],
    ['batch size text', ['-i', 'n', '--sync-batch-size', 'ten'], /--sync-batch-size 'ten'/],
    ['batch size fraction', ['-i', 'n', '--sync-batch-size', '1.5'], /must be an integer/],
    ['sync target not a URL', ['-i', 'n', '--sync-target', '10.0.0.10:8000'], /http:\/\/ or https/],
    ['sync target garbage', ['-i', 'n', '--sync-target', 'bad'], /'bad' must be an http/],
    ['empty data dir', ['-i', 'n', '-d', ''], /--data-dir must not be empty/],
  ];
  for (const [name, argv, message] of bad) {
    it(`refuses ${name}`, () => {
      let caught: unknown;
      try {
        node(argv);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UsageError);
      expect((caught as Error).message).toMatch(message);
      expect((caught as Error).message).not.toContain('\n');
    });
  }

  it('--help wins over everything else', () => {
    expect(parseArgs(NODE_SPEC, ['--bogus', '-h']).help).toBe(true);
  });

  it("prints the guide's Options lines verbatim", () => {
    const expected = [
      '  -i, --id <ID>                           Unique node ID',
      '  -d, --data-dir <DATA_DIR>               Data directory [default: data]',
      '  -a, --address <ADDRESS>                 Listen address [default: 127.0.0.1:8000]',
      '  -p, --peers <PEERS>                     Peer list (id=address,...)',
      '      --clean                             Clean data directory on start',
      '      --sync-target <SYNC_TARGET>         Cloud sync target URL',
      '      --sync-interval-secs <SECS>         Sync interval [default: 5]',
      '      --sync-batch-size <SIZE>            Sync batch size [default: 100]',
      '      --sync-max-queue-mb <MB>            Sync outbox limit; writes are refused past it [default: 256]',
      '      --ttl-cleanup-interval-secs <SECS>  TTL cleanup interval [default: 3600]',
      '      --enable-ingest                     Enable HTTP ingest endpoint and background ' +
        'worker [default: false]',
    ];
    const lines = helpText(NODE_SPEC).split('\n');
    const start = lines.indexOf('Options:');
    expect(start).toBeGreaterThan(0);
    expect(lines.slice(start + 1, start + 1 + expected.length)).toEqual(expected);
  });
});

describe('chronos client flags', () => {
  it('--leader with the default table format', () => {
    expect(client(['--leader', '10.0.0.1:8000'])).toEqual({
      target: { kind: 'server', leader: { host: '10.0.0.1', port: 8000 } },
      execute: null, format: 'table',
    });
  });

  it('-d, -e and --format=json', () => {
    expect(client(['-d', './data', '-e', 'SELECT 1;', '--format=json'])).toEqual({
      target: { kind: 'local', dataDir: './data' }, execute: 'SELECT 1;', format: 'json',
    });
  });

  it('-e takes a value that starts with a dash', () => {
    expect(client(['-d', 'x', '-e', '-- only a comment']).execute).toBe('-- only a comment');
  });

  const bad: [string, string[], RegExp][] = [
    ['neither target', [], /needs --leader HOST:PORT or --data-dir DIR/],
    ['both targets', ['--leader', 'h:1', '-d', 'x'], /either --leader or --data-dir, not both/],
    ['bad format', ['-d', 'x', '--format', 'xml'], /--format 'xml' is not one of table, json, csv/],
    ['leader without port', ['--leader', 'localhost'], /--leader 'localhost' is not HOST:PORT/],
    ['-e without value', ['-d', 'x', '-e'], /-e needs a value <SQL>/],
    ['node-only flag', ['-d', 'x', '--clean'], /unknown flag '--clean' for 'chronos client'/],
  ];
  for (const [name, argv, message] of bad) {
    it(`refuses ${name}`, () => {
      expect(() => client(argv)).toThrow(message);
    });
  }
});

describe('other commands', () => {
  it('single-node defaults to ./data and takes --data-dir', () => {
    expect(singleNodeOptions(parseArgs(SINGLE_NODE_SPEC, []))).toEqual({ dataDir: 'data' });
    expect(singleNodeOptions(parseArgs(SINGLE_NODE_SPEC, ['--data-dir', './d'])))
      .toEqual({ dataDir: './d' });
  });

  it('admin add-node ID=HOST:PORT --http', () => {
    const args = parseArgs(ADMIN_ADD_NODE_SPEC, ['node4=10.0.0.4:8003', '--http', '10.0.0.1:9000']);
    expect(addNodeOptions(args)).toEqual({
      http: { host: '10.0.0.1', port: 9000 }, id: 'node4',
      address: { host: '10.0.0.4', port: 8003 },
    });
  });

  it('admin add-node refuses two nodes at once and a missing --http', () => {
    expect(() => addNodeOptions(parseArgs(ADMIN_ADD_NODE_SPEC, ['a=h:1,b=h:2', '--http', 'h:9'])))
      .toThrow(/takes one ID=HOST:PORT/);
    expect(() => addNodeOptions(parseArgs(ADMIN_ADD_NODE_SPEC, ['a=h:1'])))
      .toThrow(/--http is required/);
    expect(() => parseArgs(ADMIN_ADD_NODE_SPEC, ['--http', 'h:9'])).toThrow(/needs <ID=HOST:PORT>/);
  });

  it('admin remove-node ID --http', () => {
    expect(removeNodeOptions(parseArgs(ADMIN_REMOVE_NODE_SPEC, ['--http=h:9000', 'node3'])))
      .toEqual({ http: { host: 'h', port: 9000 }, id: 'node3' });
  });

  it('snapshot create and restore', () => {
    expect(snapshotCreateOptions(parseArgs(SNAPSHOT_CREATE_SPEC, ['-d', 'n1', '-o', 'f.snap'])))
      .toEqual({ dataDir: 'n1', output: 'f.snap' });
    expect(snapshotRestoreOptions(parseArgs(SNAPSHOT_RESTORE_SPEC,
      ['--data-dir', 'n1', '--input', 'f.snap', '--force'])))
      .toEqual({ dataDir: 'n1', input: 'f.snap', force: true });
    expect(snapshotRestoreOptions(parseArgs(SNAPSHOT_RESTORE_SPEC, ['-d', 'n1', '-i', 'f'])).force)
      .toBe(false);
    expect(() => snapshotCreateOptions(parseArgs(SNAPSHOT_CREATE_SPEC, ['-d', 'n1'])))
      .toThrow(/--output is required/);
    expect(() => parseArgs(SNAPSHOT_CREATE_SPEC, ['-d', 'n1', '-o', 'f', '--force']))
      .toThrow(/unknown flag '--force'/);
  });

  it('-- ends flags', () => {
    const parsed = parseArgs(ADMIN_REMOVE_NODE_SPEC, ['--http', 'h:1', '--', '-weird']);
    expect(parsed.positionals).toEqual(['-weird']);
  });
});
