/** Lets timers and I/O (Raft heartbeats, appends, small writes) run before going on. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
