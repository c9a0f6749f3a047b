import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, credentials } from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import type { MethodDefinition } from '@grpc/proto-loader';
import { NO_CHANNELZ } from '../../transport/index.js';

/** Where the proto lives in the source tree (tsc does not copy it to dist/). */
const PROTO_RELATIVE = join('src', 'bench', 'etcd', 'etcd-kv.proto');

function protoPath(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth++) {
    const candidate = join(folder, PROTO_RELATIVE);
    if (existsSync(candidate)) return candidate;
    folder = dirname(folder);
  }
  throw new Error(`cannot find ${PROTO_RELATIVE} above the bench code`);
}

type Method = MethodDefinition<object, object>;

let methods: { put: Method; range: Method; status: Method } | null = null;

function loadMethods(): { put: Method; range: Method; status: Method } {
  if (methods !== null) return methods;
  // longs as String: member ids are full uint64s and would lose bits as numbers.
  const definition = protoLoader.loadSync(protoPath(), { keepCase: true, longs: String, defaults: true });
  const kv = definition['etcdserverpb.KV'] as Record<string, Method> | undefined;
  const maintenance = definition['etcdserverpb.Maintenance'] as Record<string, Method> | undefined;
  const put = kv?.['Put'];
  const range = kv?.['Range'];
  const status = maintenance?.['Status'];
  if (put === undefined || range === undefined || status === undefined) {
    throw new Error('etcd-kv.proto lacks KV.Put, KV.Range or Maintenance.Status');
  }
  methods = { put, range, status };
  return methods;
}

/** What Maintenance.Status says about a member. */
export interface EtcdStatus {
  readonly memberId: string;
  readonly leaderId: string;
  readonly raftTerm: number;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** One plaintext gRPC channel to one etcd member. */
export class EtcdClient {
  readonly #client: Client;
  readonly #address: string;

  constructor(address: string) {
    this.#address = address;
    // Configured as our own clients are (channelz off), so both systems pay the same client.
    this.#client = new Client(address, credentials.createInsecure(), { ...NO_CHANNELZ });
  }

  #call(method: Method, request: object, deadlineMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        { deadline: new Date(Date.now() + deadlineMs) },
        (error, response) => (error === null ? resolve(response) : reject(new Error(`${this.#address}: ${error.message}`))),
      );
    });
  }

  /** KV.Put; resolves to the raft term in the response header. */
  async put(key: string, value: string, deadlineMs = 10_000): Promise<number> {
    const response = await this.#call(loadMethods().put, { key: Buffer.from(key), value: Buffer.from(value) }, deadlineMs);
    return Number(field(field(response, 'header'), 'raft_term') ?? 0);
  }

  /** KV.Range of one key, linearizable (etcd's default); resolves to the values found (0 or 1). */
  async get(key: string, deadlineMs = 10_000): Promise<number> {
    const response = await this.#call(loadMethods().range, { key: Buffer.from(key) }, deadlineMs);
    const kvs = field(response, 'kvs');
    return Array.isArray(kvs) ? kvs.length : 0;
  }

  /** Maintenance.Status of this member. */
  async status(deadlineMs = 1_000): Promise<EtcdStatus> {
    const response = await this.#call(loadMethods().status, {}, deadlineMs);
    return {
      memberId: String(field(field(response, 'header'), 'member_id') ?? ''),
      leaderId: String(field(response, 'leader') ?? ''),
      raftTerm: Number(field(response, 'raftTerm') ?? 0),
    };
  }

  close(): void {
    this.#client.close();
  }
}
