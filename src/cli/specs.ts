import type { CommandSpec, FlagSpec } from './args.js';

/** Defaults of `chronos node`, as the guide's CLI Flags section lists them. */
export const NODE_DEFAULTS = {
  dataDir: 'data',
  address: '127.0.0.1:8000',
  syncIntervalSecs: 5,
  syncBatchSize: 100,
  syncMaxQueueMb: 256,
  ttlCleanupIntervalSecs: 3600,
} as const;

const dataDirFlag: FlagSpec = {
  name: 'data-dir', short: 'd', value: 'DATA_DIR', description: 'Data directory',
  defaultText: NODE_DEFAULTS.dataDir,
};

const httpFlag: FlagSpec = {
  name: 'http', value: 'HOST:PORT', description: "A node's admin HTTP address (gRPC port + 1000)",
};

/** `chronos node`: flags and help exactly as the guide's `chronos node --help`. */
export const NODE_SPEC: CommandSpec = {
  path: 'node',
  summary: 'Run a ChronosDB server node (gRPC SQL and Raft, admin HTTP on port + 1000)',
  usage: 'chronos node [OPTIONS] --id <ID>',
  positionals: [],
  flags: [
    { name: 'id', short: 'i', value: 'ID', description: 'Unique node ID' },
    dataDirFlag,
    {
      name: 'address', short: 'a', value: 'ADDRESS', description: 'Listen address',
      defaultText: NODE_DEFAULTS.address,
    },
    { name: 'peers', short: 'p', value: 'PEERS', description: 'Peer list (id=address,...)' },
    { name: 'clean', description: 'Clean data directory on start' },
    { name: 'sync-target', value: 'SYNC_TARGET', description: 'Cloud sync target URL' },
    {
      name: 'sync-interval-secs', value: 'SECS', description: 'Sync interval',
      defaultText: String(NODE_DEFAULTS.syncIntervalSecs),
    },
    {
      name: 'sync-batch-size', value: 'SIZE', description: 'Sync batch size',
      defaultText: String(NODE_DEFAULTS.syncBatchSize),
    },
    {
      name: 'sync-max-queue-mb', value: 'MB', description: 'Sync outbox limit; writes are refused past it',
      defaultText: String(NODE_DEFAULTS.syncMaxQueueMb),
    },
    {
      name: 'ttl-cleanup-interval-secs', value: 'SECS', description: 'TTL cleanup interval',
      defaultText: String(NODE_DEFAULTS.ttlCleanupIntervalSecs),
    },
    {
      name: 'enable-ingest', description: 'Enable HTTP ingest endpoint and background worker',
      defaultText: 'false',
    },
  ],
};

/** `chronos single-node`. */
export const SINGLE_NODE_SPEC: CommandSpec = {
  path: 'single-node',
  summary: 'Embedded engine with a local SQL REPL; no network services',
  usage: 'chronos single-node [OPTIONS]',
  positionals: [],
  flags: [dataDirFlag],
};

/** `chronos client`. */
export const CLIENT_SPEC: CommandSpec = {
  path: 'client',
  summary: 'SQL client: a REPL, or the statements on stdin / in --execute',
  usage: 'chronos client (--leader <ADDRESS> | --data-dir <DATA_DIR>) [OPTIONS]',
  positionals: [],
  flags: [
    { name: 'leader', value: 'ADDRESS', description: "A node's gRPC address (follows the leader)" },
    {
      name: 'data-dir', short: 'd', value: 'DATA_DIR',
      description: 'Open a local data dir (single-node dir or a stopped node\'s DIR/ID)',
    },
    { name: 'execute', short: 'e', value: 'SQL', description: 'Run these statements and exit' },
    {
      name: 'format', value: 'FORMAT', description: 'Output: table, json or csv',
      defaultText: 'table',
    },
  ],
};

/** `chronos admin status`. */
export const ADMIN_STATUS_SPEC: CommandSpec = {
  path: 'admin status',
  summary: "Print a node's /health JSON on one line",
  usage: 'chronos admin status --http <HOST:PORT>',
  positionals: [],
  flags: [httpFlag],
};

/** `chronos admin add-node`. */
export const ADMIN_ADD_NODE_SPEC: CommandSpec = {
  path: 'admin add-node',
  summary: 'Add a node to the cluster (through the leader), before starting it',
  usage: 'chronos admin add-node <ID=HOST:PORT> --http <HOST:PORT>',
  positionals: [{ name: 'ID=HOST:PORT', description: "The new node's id and gRPC address" }],
  flags: [httpFlag],
};

/** `chronos admin remove-node`. */
export const ADMIN_REMOVE_NODE_SPEC: CommandSpec = {
  path: 'admin remove-node',
  summary: 'Remove a node from the cluster (through the leader)',
  usage: 'chronos admin remove-node <ID> --http <HOST:PORT>',
  positionals: [{ name: 'ID', description: 'The id of the node to remove' }],
  flags: [httpFlag],
};

/** `chronos snapshot create`. */
export const SNAPSHOT_CREATE_SPEC: CommandSpec = {
  path: 'snapshot create',
  summary: "Write a checksummed backup of a node's data dir (a running node's through GET /snapshot)",
  usage: 'chronos snapshot create --data-dir <DATA_DIR> --output <FILE>',
  positionals: [],
  flags: [
    { name: 'data-dir', short: 'd', value: 'DATA_DIR', description: 'Node directory (DIR/ID)' },
    { name: 'output', short: 'o', value: 'FILE', description: 'Snapshot file to write' },
  ],
};

/** `chronos snapshot restore`. */
export const SNAPSHOT_RESTORE_SPEC: CommandSpec = {
  path: 'snapshot restore',
  summary: "Restore a node's data dir from a snapshot file",
  usage: 'chronos snapshot restore --data-dir <DATA_DIR> --input <FILE> [--force]',
  positionals: [],
  flags: [
    { name: 'data-dir', short: 'd', value: 'DATA_DIR', description: 'Node directory (DIR/ID)' },
    { name: 'input', short: 'i', value: 'FILE', description: 'Snapshot file to read' },
    { name: 'force', description: 'Replace a non-empty data directory' },
  ],
};

/** Top-level help: the commands and global flags. */
export const TOP_HELP = `ChronosDB: a Raft-replicated time-series SQL database

Usage: chronos <COMMAND> [OPTIONS]

Commands:
  single-node      Embedded engine with a local SQL REPL (no network)
  node             Run a server node
  client           SQL client against a server (--leader) or a data dir (-d)
  admin status     Print a node's health (admin status --http HOST:PORT)
  admin add-node   Add a node to the cluster
  admin remove-node
                   Remove a node from the cluster
  snapshot create  Back up a node's data dir
  snapshot restore Restore a node's data dir from a backup

Options:
  -h, --help       Print help (also after a command: chronos node --help)
  -V, --version    Print version
`;
