import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

/**
 * The write floor's gRPC service: raw bytes both ways, no protobuf. `Write` and `Read` are what
 * a client calls on the leader; `Replicate` is the leader's stream to each follower (batches
 * down, the id of the last durable batch back).
 */

const asIs = (bytes: Buffer): Buffer => bytes;

function method(name: string, stream: boolean): MethodDefinition<Buffer, Buffer> {
  return {
    path: `/floor.Floor/${name}`,
    requestStream: stream,
    responseStream: stream,
    requestSerialize: asIs,
    requestDeserialize: asIs,
    responseSerialize: asIs,
    responseDeserialize: asIs,
  };
}

/** The service definition both the floor's nodes and its client use. */
export const FLOOR_SERVICE: ServiceDefinition = {
  Write: method('Write', false),
  Read: method('Read', false),
  Replicate: method('Replicate', true),
};

/** Bytes of a write request: the key, then the value. */
export const FLOOR_KEY_BYTES = 4;

/** Bytes of a batch id (on a Replicate message and on its answer). */
export const FLOOR_BATCH_ID_BYTES = 4;
