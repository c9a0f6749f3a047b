import { Client, Server, ServerCredentials, credentials } from '@grpc/grpc-js';
import type { ClientDuplexStream, sendUnaryData, ServerDuplexStream, ServerUnaryCall } from '@grpc/grpc-js';
import { NO_CHANNELZ } from '../../transport/index.js';
import { DurableFile } from './durable-file.js';
import { FLOOR_BATCH_ID_BYTES, FLOOR_KEY_BYTES, FLOOR_SERVICE } from './floor-service.js';

/**
 * One process of the write floor (`node floor-node.js leader|follower PORT FILE [PEER_PORT...]`):
 * the least a replicated, durable write can do in Node with grpc-js on this machine. The leader
 * takes a write, streams it (batched with whatever arrived meanwhile) to its followers while it
 * writes and fdatasyncs it itself, and answers once it and one follower have it on disk; a
 * follower writes and fdatasyncs each batch and answers with its id. No Raft, no SQL, no
 * storage engine, no protobuf: whatever a database adds costs on top of this.
 */

interface WaitingWrite {
  readonly key: number;
  readonly value: Buffer;
  readonly reply: () => void;
}

interface Batch {
  readonly id: number;
  readonly writes: readonly WaitingWrite[];
  durable: boolean;
}

class FloorLeader {
  readonly #file: DurableFile;
  readonly #streams: ClientDuplexStream<Buffer, Buffer>[];
  readonly #store = new Map<number, Buffer>();
  #pending: WaitingWrite[] = [];
  readonly #inFlight: Batch[] = [];
  #nextId = 1;
  #ackedId = 0;
  #flushing = false;

  constructor(file: DurableFile, peers: readonly Client[]) {
    this.#file = file;
    this.#streams = peers.map((peer) => {
      const stream = peer.makeBidiStreamRequest<Buffer, Buffer>(
        '/floor.Floor/Replicate', (b) => b, (b) => b,
      );
      stream.on('data', (answer: Buffer) => {
        this.#ackedId = Math.max(this.#ackedId, answer.readUInt32LE(0));
        this.#settle();
      });
      stream.on('error', (error: Error) => process.stderr.write(`replicate stream: ${error.message}\n`));
      return stream;
    });
  }

  write(call: ServerUnaryCall<Buffer, Buffer>, reply: sendUnaryData<Buffer>): void {
    const request = call.request;
    this.#pending.push({
      key: request.readUInt32LE(0),
      value: request.subarray(FLOOR_KEY_BYTES),
      reply: () => reply(null, Buffer.from('ok')),
    });
    if (!this.#flushing) {
      this.#flush().catch((error: unknown) => {
        // A floor that cannot write its file measures nothing: stop loudly.
        process.stderr.write(`floor leader: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      });
    }
  }

  read(call: ServerUnaryCall<Buffer, Buffer>, reply: sendUnaryData<Buffer>): void {
    reply(null, this.#store.get(call.request.readUInt32LE(0)) ?? Buffer.alloc(0));
  }

  /** One batch at a time to disk; each goes to the followers before its own fdatasync. */
  async #flush(): Promise<void> {
    this.#flushing = true;
    while (this.#pending.length > 0) {
      const batch: Batch = { id: this.#nextId++, writes: this.#pending, durable: false };
      this.#pending = [];
      this.#inFlight.push(batch);
      const records = Buffer.concat(batch.writes.map((w) => w.value));
      const message = Buffer.alloc(FLOOR_BATCH_ID_BYTES + records.length);
      message.writeUInt32LE(batch.id, 0);
      records.copy(message, FLOOR_BATCH_ID_BYTES);
      for (const stream of this.#streams) stream.write(message);
      await this.#file.append(records);
      batch.durable = true;
      this.#settle();
    }
    this.#flushing = false;
  }

  /** Answers, in order, every batch durable here and on at least one follower. */
  #settle(): void {
    for (let head = this.#inFlight[0]; head !== undefined && head.durable && head.id <= this.#ackedId; head = this.#inFlight[0]) {
      this.#inFlight.shift();
      for (const w of head.writes) {
        this.#store.set(w.key, w.value);
        w.reply();
      }
    }
  }
}

function replicate(file: DurableFile, call: ServerDuplexStream<Buffer, Buffer>): void {
  let durableId = 0;
  let answering = false;
  call.on('data', (message: Buffer) => {
    const id = message.readUInt32LE(0);
    file.append(message.subarray(FLOOR_BATCH_ID_BYTES)).then(() => {
      durableId = Math.max(durableId, id);
      if (answering) return;
      answering = true;
      // One answer for every batch one fdatasync made durable.
      queueMicrotask(() => {
        answering = false;
        const answer = Buffer.alloc(FLOOR_BATCH_ID_BYTES);
        answer.writeUInt32LE(durableId, 0);
        call.write(answer);
      });
    }, (error: unknown) => call.destroy(error instanceof Error ? error : new Error(String(error))));
  });
  call.on('error', () => undefined);
}

async function main(argv: readonly string[]): Promise<void> {
  const [role, port, path, ...peerPorts] = argv;
  if ((role !== 'leader' && role !== 'follower') || port === undefined || path === undefined) {
    throw new Error('usage: floor-node leader|follower PORT FILE [PEER_PORT...]');
  }
  const file = await DurableFile.open(path);
  const server = new Server({ ...NO_CHANNELZ });
  const peers = peerPorts.map((p) => new Client(`127.0.0.1:${p}`, credentials.createInsecure(), { ...NO_CHANNELZ }));
  const leader = role === 'leader' ? new FloorLeader(file, peers) : null;
  const refuse = (_call: unknown, reply: sendUnaryData<Buffer>): void => reply(new Error('not the leader'), null);
  server.addService(FLOOR_SERVICE, {
    Write: leader === null ? refuse : leader.write.bind(leader),
    Read: leader === null ? refuse : leader.read.bind(leader),
    Replicate: (call: ServerDuplexStream<Buffer, Buffer>) => replicate(file, call),
  });
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error) => (error === null ? resolve() : reject(error)));
  });
  process.stdout.write('ready\n');
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`floor node: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
