import { Agent, request } from 'node:http';

/** Statuses a server uses to say "not now": the writer waits a moment and sends again. */
const BUSY_STATUSES: ReadonlySet<number> = new Set([429, 503]);
const BUSY_PAUSE_MS = 20;
/** A request refused as busy this many times in a row ends the run: the server is stuck. */
const BUSY_RETRIES_MAX = 3_000;

/** What a load run did: wall time, requests answered 2xx, and busy answers retried. */
export interface LoadOutcome {
  readonly seconds: number;
  readonly requests: number;
  readonly busyRetries: number;
}

/** One POST on a kept-alive connection; resolves with the status once the body is read. */
function post(agent: Agent, url: URL, body: Buffer, headers: Readonly<Record<string, string>>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', reject);
      });
    req.once('error', reject);
    req.end(body);
  });
}

/** Sends `body` until it is accepted (2xx), waiting out busy answers; returns the retries. */
async function postUntilAccepted(agent: Agent, url: URL, body: Buffer,
  headers: Readonly<Record<string, string>>): Promise<number> {
  for (let retries = 0; retries <= BUSY_RETRIES_MAX; retries++) {
    const status = await post(agent, url, body, headers);
    if (status >= 200 && status < 300) return retries;
    if (!BUSY_STATUSES.has(status)) throw new Error(`POST ${url.pathname} answered ${status}`);
    await new Promise((resolve) => setTimeout(resolve, BUSY_PAUSE_MS));
  }
  throw new Error(`POST ${url.pathname} stayed busy through ${BUSY_RETRIES_MAX} retries`);
}

/** How a load is sent: where (writer i uses urls[i % n]), by how many writers, with which headers. */
export interface LoadPlan {
  readonly urls: readonly string[];
  readonly writers: number;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Sends `count` bodies (made by `bodyFor(i)`, i = 0..count-1, each exactly once) from the plan's
 * writers, or, with `durationMs`, as many as fit in that time; every body is sent until the
 * server accepts it.
 */
export async function runLoad(plan: LoadPlan, bodyFor: (i: number) => Buffer,
  count: number, durationMs = Infinity): Promise<LoadOutcome> {
  const agent = new Agent({ keepAlive: true, maxSockets: plan.writers });
  let next = 0;
  let requests = 0;
  let busyRetries = 0;
  const started = performance.now();
  const stopAt = started + durationMs;
  try {
    await Promise.all(Array.from({ length: plan.writers }, async (_, writer) => {
      const url = new URL(plan.urls[writer % plan.urls.length] ?? '');
      while (next < count && performance.now() < stopAt) {
        const body = bodyFor(next++);
        busyRetries += await postUntilAccepted(agent, url, body, plan.headers);
        requests += 1;
      }
    }));
  } finally {
    agent.destroy();
  }
  return { seconds: (performance.now() - started) / 1000, requests, busyRetries };
}
