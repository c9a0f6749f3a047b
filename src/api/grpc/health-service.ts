import type { ConnectivityState } from '../../node/index.js';
import { toServiceError } from '../../transport/index.js';
import type { GrpcService } from '../../transport/index.js';
import type { TokenAuth } from '../../auth/index.js';
import { refusedStatusCall } from './call-context.js';
import type { Reply, UnaryCall } from './call-context.js';

/** Answers GetConnectivity: the edge's view of its sync target. */
export type HealthHandler = () => Promise<ConnectivityState>;

/** HealthService: the handler's state, or "Connected" on a node without a sync target. */
export function healthService(handler: HealthHandler | undefined, auth?: TokenAuth): GrpcService {
  const getConnectivity = (call: UnaryCall, callback: Reply): void => {
    const refusal = refusedStatusCall(call, auth);
    if (refusal !== null) {
      callback(toServiceError(refusal));
      return;
    }
    if (handler === undefined) {
      callback(null, { state: 'Connected' });
      return;
    }
    handler().then(
      (state) => callback(null, { state }),
      (error: unknown) => callback(toServiceError(error)),
    );
  };
  return { name: 'raft.HealthService', implementation: { GetConnectivity: getConnectivity } };
}
