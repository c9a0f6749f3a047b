/**
 * What a running statement polls to learn that its caller gave up (a gRPC call cancelled or
 * past its deadline, Ctrl-C in the REPL). An AbortSignal is one; a gRPC call's own `cancelled`
 * flag is another, without the AbortController a call would otherwise build for it.
 */
export interface Cancellation {
  readonly aborted: boolean;
}
