import { Client } from '@grpc/grpc-js';
import { channelCredentials, channelOptions } from './credentials.js';
import type { TlsMaterial } from './credentials.js';
import { refusingCluster, withClusterId } from './cluster-header.js';
import { bearerMetadata, connectionReason } from './grpc-status.js';
import { protoMethod } from './proto-loader.js';
import { tlsMismatchReason } from './tls-mismatch.js';
import { asObject, readString } from './proto-read.js';

/** What a peer said when asked who it is. */
export type PeerIdentity =
  /** It took the call: it is of our cluster, or one of us has no id yet (null: it has none). */
  | { readonly kind: 'answered'; readonly clusterId: string | null }
  /** It refused us as a member of another cluster; `clusterId` is its own. */
  | { readonly kind: 'refused'; readonly clusterId: string }
  /** No answer (down, unreachable, an older version without Identify): ask again later. */
  | { readonly kind: 'unanswered'; readonly message: string };

/** How to call a peer: its transport security, the peer token, and our own cluster id. */
export interface IdentifyOptions {
  readonly tls: TlsMaterial | null;
  readonly token: string | null;
  readonly clusterId: string | null;
  readonly deadlineMs: number;
}

/** Asks the node at `address` who it is (RaftService.Identify) on a channel of its own. */
export function identifyPeer(address: string, options: IdentifyOptions): Promise<PeerIdentity> {
  const client = new Client(address, channelCredentials(options.tls), channelOptions(options.tls));
  const method = protoMethod('raft.RaftService', 'Identify');
  const metadata = withClusterId(bearerMetadata(options.token), options.clusterId);
  return new Promise((resolve) => {
    client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, {}, metadata,
      { deadline: new Date(Date.now() + options.deadlineMs) }, (error, response) => {
        client.close();
        if (error !== null) {
          const theirs = refusingCluster(error);
          const message = tlsMismatchReason(error.details, options.tls !== null) ?? connectionReason(error.details);
          resolve(theirs === null ? { kind: 'unanswered', message } : { kind: 'refused', clusterId: theirs });
          return;
        }
        try {
          const clusterId = readString(asObject(response, 'IdentifyResponse'), 'clusterId');
          resolve({ kind: 'answered', clusterId: clusterId === '' ? null : clusterId });
        } catch (decodeError) {
          resolve({ kind: 'unanswered', message: String(decodeError) });
        }
      });
  });
}
