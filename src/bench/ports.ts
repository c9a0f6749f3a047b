import { createServer } from 'node:net';

/** True when 127.0.0.1:port can be bound right now. */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** First port of Linux's default ephemeral range (net.ipv4.ip_local_port_range). */
const PORT_CEILING = 32_768;

/**
 * A port that is free together with `port + offset` for each offset (a chronos node needs its
 * admin port at +1000), checked by binding them; `taken` excludes ports already handed out.
 */
export async function freePort(taken: Set<number>, offsets: readonly number[] = [0]): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    // Below Linux's ephemeral range (32768 up) with the admin offset, so a client socket
    // cannot take the port between this check and the server's bind.
    const base = 20_000 + Math.floor(Math.random() * (PORT_CEILING - 20_000 - Math.max(0, ...offsets)));
    const all = offsets.map((o) => base + o);
    if (all.some((p) => taken.has(p))) continue;
    let free = true;
    for (const p of all) free = free && (await canBind(p));
    if (!free) continue;
    for (const p of all) taken.add(p);
    return base;
  }
  throw new Error('no free loopback port found in 200 attempts');
}

/** Polls `check` every `intervalMs` until it gives a value or `timeoutMs` passes. */
export async function waitUntil<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | null> | T | null,
  intervalMs = 50,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
