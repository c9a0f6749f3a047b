import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorMessage, isChronosError, TurnQueue } from '../lib/index.js';
import type { TokenAuth } from '../auth/index.js';
import type { IngestMetrics } from './ingest-metrics.js';
import { sendUnauthenticated } from './http-refusals.js';
import { acceptAnyContentType } from './any-content-type.js';

/** What `POST /ingest` needs from the node: journal a body's readings (see ingest's gateway). */
export interface IngestEndpoint {
  accept(body: unknown): Promise<number>;
  /**
   * The body read straight from its bytes when it has the usual shape (what `accept` then
   * takes), else null: the JSON parser reads it and `accept` validates the parsed value.
   */
  scan(bytes: Uint8Array): unknown;
  /**
   * Before the body is read: throws the refusal (RESOURCE_EXHAUSTED) of a request the limits
   * would refuse anyway, else returns the call that closes the request once it is answered.
   */
  open(): () => void;
}

/** Bodies above this are refused with 413 (`CHRONOS_INGEST_MAX_BODY_BYTES`). */
export const INGEST_BODY_BYTES_DEFAULT = 128 * 1024;

const gunzipAsync = promisify(gunzip);

/** Milliseconds of body reading per event-loop turn: a 128 KB body takes 2-4 ms here. */
const BODY_READING_MS_PER_TURN = 4;

/** HTTP status of a refused ingest or line-protocol request. */
export function ingestStatusOf(error: unknown): number {
  if (!isChronosError(error)) return 500;
  switch (error.code) {
    case 'INVALID_ARGUMENT':
      return 400;
    case 'RESOURCE_EXHAUSTED':
      return 429;
    case 'UNKNOWN_TABLE':
      return 409;
    default:
      return 503;
  }
}

/**
 * `POST /ingest`: 202 `{"status":"queued"}` once the readings are journaled and fsynced; 400
 * naming the bad field, 401/403 when an ingest token is set and missing or wrong, 409 with the
 * CREATE TABLE to run, 413 over the body limit, 429 over the in-flight or backlog limit, 503
 * without `--enable-ingest`.
 */
export function registerIngestRoutes(app: FastifyInstance, options: {
  readonly auth: TokenAuth;
  readonly metrics: IngestMetrics;
  readonly endpoint: IngestEndpoint | undefined;
  readonly maxBodyBytes: number;
}): void {
  const { auth, metrics, endpoint } = options;
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    // refusedBeforeBody has checked the token and that ingest is on.
    if (endpoint === undefined) return reply;
    try {
      await endpoint.accept(request.body);
      return await reply.code(202).send({ status: 'queued' });
    } catch (error) {
      return reply.code(ingestStatusOf(error)).send({ error: errorMessage(error) });
    }
  };
  void app.register(async (scope) => {
    // Every body is read as JSON whatever its Content-Type: device firmware often sends none,
    // or text/plain, and a 415 there would drop readings a gateway exists to take. Most bodies
    // are read from their bytes (no string of the whole body, no object per payload); the
    // rest, errors included, go through fastify's JSON parser.
    // Bodies are read through a queue, a few ms of them per event-loop turn (see TurnQueue).
    const json = scope.getDefaultJsonParser('error', 'error');
    const turns = new TurnQueue(BODY_READING_MS_PER_TURN);
    acceptAnyContentType(scope);
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
      void decompressed(request, body as Buffer, options.maxBodyBytes).then((bytes) => turns.run(() => {
        const scanned = endpoint === undefined ? null : endpoint.scan(bytes);
        if (scanned !== null) {
          done(null, scanned);
          return;
        }
        const text = bytes.toString('utf8');
        json(request, text, (error, parsed) => (error === null ? done(null, parsed) : done(invalidJson(text))));
      })).catch((error: unknown) => done(error instanceof Error ? error : new Error(String(error))));
    });
    scope.post('/ingest', {
      bodyLimit: options.maxBodyBytes,
      onRequest: refusedBeforeBody(endpoint, auth, metrics),
      errorHandler: (error: FastifyError, _request, reply) => {
        // Fastify refused the body before the handler: too large, or not JSON.
        const tooLarge = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
        metrics.rejected.inc({ reason: tooLarge || error.statusCode === 413 ? 'too_large' : 'invalid' });
        const message = tooLarge
          ? `body over ${options.maxBodyBytes} bytes (CHRONOS_INGEST_MAX_BODY_BYTES)` : error.message;
        void reply.code(error.statusCode ?? 400).send({ error: message });
      },
    }, handler);
  });
}

/**
 * The hook that refuses a request before its body is read when its token, the node or the
 * limits would refuse it anyway: a caller without the token must not learn what the node
 * thinks of its body (400, 413) nor cost its parsing, and a burst of large bodies past the
 * limits must not either (150 clients of 126 KB bodies held a leader's loop over a second in an
 * audit, and it lost its leadership).
 */
function refusedBeforeBody(endpoint: IngestEndpoint | undefined, auth: TokenAuth, metrics: IngestMetrics):
  (request: FastifyRequest, reply: FastifyReply, done: () => void) => void {
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const decision = auth.checkIngest(request.headers.authorization);
    if (!decision.ok || decision.level === 'readonly') {
      metrics.rejected.inc({ reason: 'unauthorized' });
      if (!decision.ok) void sendUnauthenticated(reply, decision.reason, 'ingest');
      else void reply.code(403).send({ error: 'permission denied: /ingest needs the ingest or admin token' });
      return;
    }
    if (endpoint === undefined) {
      void reply.code(503).send({ error: 'ingest is disabled on this node (start it with --enable-ingest)' });
      return;
    }
    let close: () => void;
    try {
      close = endpoint.open();
    } catch (error) {
      void reply.code(ingestStatusOf(error)).send({ error: errorMessage(error) });
      return;
    }
    reply.raw.once('close', close);
    done();
  };
}

/**
 * The body as sent, or gunzipped under `Content-Encoding: gzip` (gateways that batch readings
 * compress them; read as JSON, the compressed bytes were a 400 that echoed them back).
 */
async function decompressed(request: FastifyRequest, body: Buffer, limit: number): Promise<Buffer> {
  const encoding = String(request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return body;
  if (encoding !== 'gzip') throw httpError(415, `Content-Encoding ${encoding} is not supported (gzip or none)`);
  try {
    return await gunzipAsync(body, { maxOutputLength: limit });
  } catch (error) {
    if (error instanceof RangeError) throw httpError(413, `body over ${limit} bytes once decompressed (CHRONOS_INGEST_MAX_BODY_BYTES)`);
    throw httpError(400, `the gzipped body does not decompress: ${errorMessage(error)}`);
  }
}

function httpError(statusCode: number, message: string): Error & { statusCode: number } {
  return Object.assign(new Error(message), { statusCode });
}

/**
 * A 400 saying why the body is not JSON the gateway takes (fastify's own message assumes an
 * application/json Content-Type, which devices often do not send, and gives no position).
 */
function invalidJson(text: string): Error & { statusCode: number } {
  let reason: string;
  try {
    JSON.parse(text);
    reason = 'it has a "__proto__" or "constructor.prototype" key, which is refused';
  } catch (error) {
    reason = errorMessage(error);
  }
  return Object.assign(new Error(`the body is not valid JSON: ${reason}`), { statusCode: 400 });
}
