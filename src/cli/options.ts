import type { ParsedArgs } from './args.js';
import type { OutputFormat } from './format/index.js';
import type { HostPort, PeerAddress } from './validate.js';
import { OUTPUT_FORMATS } from './format/index.js';
import { NODE_DEFAULTS } from './specs.js';
import { UsageError } from './usage-error.js';
import {
  nonEmpty, parseCount, parseHostPort, parseNodeId, parsePeers, parseUrls,
} from './validate.js';

/** Admin HTTP listens on the gRPC port + this (SPEC §4). */
export const ADMIN_PORT_OFFSET = 1000;

/** Validated flags of `chronos node`. */
export interface NodeOptions {
  readonly id: string;
  readonly dataDir: string;
  readonly address: HostPort;
  /** The other members; empty = a one-node cluster that elects itself. */
  readonly peers: readonly PeerAddress[];
  readonly clean: boolean;
  /** Cloud cluster URLs to sync to; empty = no sync worker. */
  readonly syncTargets: readonly string[];
  readonly syncIntervalSecs: number;
  readonly syncBatchSize: number;
  /** Outbox bytes (in MiB) past which an edge refuses writes. */
  readonly syncMaxQueueMb: number;
  readonly ttlCleanupIntervalSecs: number;
  readonly enableIngest: boolean;
}

/** Where `chronos client` sends its statements. */
export type ClientTargetOptions =
  | { readonly kind: 'server'; readonly leader: HostPort }
  | { readonly kind: 'local'; readonly dataDir: string };

/** Validated flags of `chronos client`. */
export interface ClientOptions {
  readonly target: ClientTargetOptions;
  /** SQL given with -e; null = read stdin (a REPL when it is a terminal). */
  readonly execute: string | null;
  readonly format: OutputFormat;
}

/** Validated flags of `chronos single-node`. */
export interface SingleNodeOptions {
  readonly dataDir: string;
}

/** Validated flags of `chronos admin add-node`. */
export interface AddNodeOptions {
  readonly http: HostPort;
  readonly id: string;
  readonly address: HostPort;
}

/** Validated flags of `chronos admin remove-node`. */
export interface RemoveNodeOptions {
  readonly http: HostPort;
  readonly id: string;
}

/** Validated flags of `chronos snapshot create`. */
export interface SnapshotCreateOptions {
  readonly dataDir: string;
  readonly output: string;
}

/** Validated flags of `chronos snapshot restore`. */
export interface SnapshotRestoreOptions {
  readonly dataDir: string;
  readonly input: string;
  readonly force: boolean;
}

/** Builds NodeOptions, applying the guide's defaults. */
export function nodeOptions(args: ParsedArgs): NodeOptions {
  const id = parseNodeId('--id', required(args, 'id'));
  const address = parseHostPort(
    '--address', args.values.get('address') ?? NODE_DEFAULTS.address, 65535 - ADMIN_PORT_OFFSET);
  const peersText = args.values.get('peers');
  const peers = peersText === undefined ? [] : parsePeers('--peers', peersText);
  if (peers.some((p) => p.id === id)) {
    throw new UsageError(`--peers lists this node's own id '${id}'; list only the other members`);
  }
  const syncTarget = args.values.get('sync-target');
  return {
    id,
    dataDir: nonEmpty('--data-dir', args.values.get('data-dir') ?? NODE_DEFAULTS.dataDir),
    address,
    peers,
    clean: args.switches.has('clean'),
    syncTargets: syncTarget === undefined ? [] : parseUrls('--sync-target', syncTarget),
    syncIntervalSecs: count(args, 'sync-interval-secs', NODE_DEFAULTS.syncIntervalSecs, 1),
    syncBatchSize: count(args, 'sync-batch-size', NODE_DEFAULTS.syncBatchSize, 1),
    syncMaxQueueMb: count(args, 'sync-max-queue-mb', NODE_DEFAULTS.syncMaxQueueMb, 1),
    ttlCleanupIntervalSecs:
      count(args, 'ttl-cleanup-interval-secs', NODE_DEFAULTS.ttlCleanupIntervalSecs, 1),
    enableIngest: args.switches.has('enable-ingest'),
  };
}

/** Builds ClientOptions: exactly one of --leader and --data-dir. */
export function clientOptions(args: ParsedArgs): ClientOptions {
  const leader = args.values.get('leader');
  const dataDir = args.values.get('data-dir');
  if (leader !== undefined && dataDir !== undefined) {
    throw new UsageError('give either --leader or --data-dir, not both');
  }
  let target: ClientTargetOptions;
  if (leader !== undefined) target = { kind: 'server', leader: parseHostPort('--leader', leader) };
  else if (dataDir !== undefined) {
    target = { kind: 'local', dataDir: nonEmpty('--data-dir', dataDir) };
  }
  else throw new UsageError("'chronos client' needs --leader HOST:PORT or --data-dir DIR");
  const formatText = args.values.get('format') ?? 'table';
  const format = OUTPUT_FORMATS.find((f) => f === formatText);
  if (format === undefined) {
    throw new UsageError(`--format '${formatText}' is not one of ${OUTPUT_FORMATS.join(', ')}`);
  }
  return { target, execute: args.values.get('execute') ?? null, format };
}

/** Builds SingleNodeOptions. */
export function singleNodeOptions(args: ParsedArgs): SingleNodeOptions {
  return { dataDir: nonEmpty('--data-dir', args.values.get('data-dir') ?? NODE_DEFAULTS.dataDir) };
}

/** The --http address every admin command needs. */
export function adminHttp(args: ParsedArgs): HostPort {
  return parseHostPort('--http', required(args, 'http'));
}

/** Builds AddNodeOptions from `ID=HOST:PORT`. */
export function addNodeOptions(args: ParsedArgs): AddNodeOptions {
  const http = adminHttp(args);
  const [peer] = parsePeers('add-node', args.positionals[0] ?? '');
  if (peer === undefined || (args.positionals[0] ?? '').includes(',')) {
    throw new UsageError("'chronos admin add-node' takes one ID=HOST:PORT");
  }
  return { http, id: peer.id, address: peer.address };
}

/** Builds RemoveNodeOptions. */
export function removeNodeOptions(args: ParsedArgs): RemoveNodeOptions {
  return { http: adminHttp(args), id: parseNodeId('remove-node', args.positionals[0] ?? '') };
}

/** Builds SnapshotCreateOptions. */
export function snapshotCreateOptions(args: ParsedArgs): SnapshotCreateOptions {
  return {
    dataDir: nonEmpty('--data-dir', required(args, 'data-dir')),
    output: nonEmpty('--output', required(args, 'output')),
  };
}

/** Builds SnapshotRestoreOptions. */
export function snapshotRestoreOptions(args: ParsedArgs): SnapshotRestoreOptions {
  return {
    dataDir: nonEmpty('--data-dir', required(args, 'data-dir')),
    input: nonEmpty('--input', required(args, 'input')),
    force: args.switches.has('force'),
  };
}

function required(args: ParsedArgs, name: string): string {
  const value = args.values.get(name);
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

function count(args: ParsedArgs, name: string, fallback: number, min: number): number {
  const text = args.values.get(name);
  return text === undefined ? fallback : parseCount(`--${name}`, text, min);
}
