import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ChronosError, errorMessage } from '../lib/index.js';
import type { TokenAuth } from '../auth/index.js';
import type { IngestMetrics } from './ingest-metrics.js';
import { ingestStatusOf } from './ingest-routes.js';
import { acceptAnyContentType } from './any-content-type.js';

const gunzipAsync = promisify(gunzip);

/** What the line-protocol endpoints need from the node: journal a body's points (ingest's PointGateway). */
export interface WriteEndpoint {
  accept(write: { readonly body: string; readonly nanosPerUnit: bigint }): Promise<number>;
}

/** Decompressed bodies above this are refused with 413 (`CHRONOS_WRITE_MAX_BODY_BYTES`), as InfluxDB's default. */
export const WRITE_BODY_BYTES_DEFAULT = 25 * 1024 * 1024;

/** The two APIs: 1.x answers errors as `{"error"}`, 2.x as `{"code","message"}`. */
interface Api {
  readonly path: string;
  readonly bucketParam: 'db' | 'bucket';
  readonly precisions: readonly string[];
  error(status: number, message: string): Record<string, string>;
}

const V2_CODES: Readonly<Record<number, string>> = {
  400: 'invalid', 401: 'unauthorized', 403: 'forbidden', 413: 'request too large', 429: 'too many requests',
  503: 'unavailable',
};
const API_V1: Api = {
  path: '/write', bucketParam: 'db', precisions: ['ns', 'n', 'u', 'us', 'ms', 's', 'm', 'h'],
  error: (_status, message) => ({ error: message }),
};
const API_V2: Api = {
  path: '/api/v2/write', bucketParam: 'bucket', precisions: ['ns', 'us', 'ms', 's'],
  error: (status, message) => ({ code: V2_CODES[status] ?? 'internal error', message }),
};

const NANOS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n, n: 1n, us: 1_000n, u: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** A body over the limit once decompressed (413). */
class BodyTooLarge extends Error {}

function statusOf(error: unknown): number {
  return error instanceof BodyTooLarge ? 413 : ingestStatusOf(error);
}

/**
 * `POST /write` (InfluxDB 1.x) and `POST /api/v2/write` (2.x): InfluxDB line protocol, any
 * content type, optionally gzipped. 204 once the points are journaled and fsynced; 400 naming
 * the lines left out (the rest journaled first: InfluxDB's partial write); 401/403 when an
 * ingest token is set; 413 above the decompressed body limit; 429 over the in-flight or
 * backlog limit; 503 without `--enable-ingest`.
 */
export function registerWriteRoutes(app: FastifyInstance, options: {
  readonly auth: TokenAuth;
  readonly metrics: IngestMetrics;
  readonly endpoint: WriteEndpoint | undefined;
  readonly maxBodyBytes: number;
}): void {
  void app.register(async (scope) => {
    // Line protocol comes as text/plain, curl's form type, or no type at all: take the raw bytes.
    acceptAnyContentType(scope);
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.maxBodyBytes },
      (_request, body, done) => done(null, body));
    for (const api of [API_V1, API_V2]) {
      scope.post(api.path, {
        bodyLimit: options.maxBodyBytes,
        onRequest: (request, reply, done) => {
          if (refusedBeforeBody(api, request, reply, options) === null) done();
        },
        errorHandler: (error: FastifyError, _request, reply) => {
          const tooLarge = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
          options.metrics.rejected.inc({ reason: tooLarge ? 'too_large' : 'invalid' });
          const status = tooLarge ? 413 : error.statusCode ?? 400;
          void reply.code(status).send(api.error(status, tooLarge ? tooLargeMessage(options.maxBodyBytes) : error.message));
        },
      }, (request, reply) => handleWrite(api, request, reply, options));
    }
  });
}

function tooLargeMessage(limit: number): string {
  return `body over ${limit} bytes once decompressed (CHRONOS_WRITE_MAX_BODY_BYTES)`;
}

async function handleWrite(api: Api, request: FastifyRequest, reply: FastifyReply, options: {
  readonly auth: TokenAuth;
  readonly metrics: IngestMetrics;
  readonly endpoint: WriteEndpoint | undefined;
  readonly maxBodyBytes: number;
}): Promise<FastifyReply> {
  const { metrics, endpoint } = options;
  const fail = (status: number, message: string): FastifyReply => reply.code(status).send(api.error(status, message));
  // refusedBeforeBody has checked the token and that writes are on.
  if (endpoint === undefined) return reply;
  const query = (request.query ?? {}) as Record<string, string | undefined>;
  let write: { readonly body: string; readonly nanosPerUnit: bigint };
  try {
    const bucket = query[api.bucketParam];
    if (bucket === undefined || bucket === '') {
      throw new ChronosError('INVALID_ARGUMENT', `${api.bucketParam === 'db' ? 'database' : 'bucket'} is required ` +
        `(?${api.bucketParam}=NAME; ChronosDB has one namespace, the name is not used otherwise)`);
    }
    write = { nanosPerUnit: precisionOf(query['precision'], api.precisions), body: await decodedBody(request, options.maxBodyBytes) };
  } catch (error) {
    const status = statusOf(error);
    metrics.rejected.inc({ reason: status === 413 ? 'too_large' : 'invalid' });
    return fail(status, errorMessage(error));
  }
  try {
    // The endpoint counts its own refusals (invalid lines, limits).
    await endpoint.accept(write);
    return await reply.code(204).send();
  } catch (error) {
    return fail(statusOf(error), errorMessage(error));
  }
}

/**
 * The refusal sent before the body is read (a wrong or missing token, writes off), or null to go
 * on: a caller without the token must not learn what the node thinks of its body (400, 413).
 */
function refusedBeforeBody(api: Api, request: FastifyRequest, reply: FastifyReply, options: {
  readonly auth: TokenAuth;
  readonly metrics: IngestMetrics;
  readonly endpoint: WriteEndpoint | undefined;
}): FastifyReply | null {
  const fail = (status: number, message: string): FastifyReply => reply.code(status).send(api.error(status, message));
  const query = (request.query ?? {}) as Record<string, string | undefined>;
  const decision = options.auth.checkIngest(influxCredential(request.headers.authorization, query['p']));
  if (!decision.ok || decision.level === 'readonly') {
    options.metrics.rejected.inc({ reason: 'unauthorized' });
    if (decision.ok) return fail(403, `permission denied: ${api.path} needs the ingest or admin token`);
    void reply.header('www-authenticate', 'Token realm="chronosdb"');
    return fail(401, `unauthorized: ${decision.reason} token (send Authorization: Token <token>, ` +
      'the value of CHRONOS_AUTH_TOKEN_INGEST or CHRONOS_AUTH_TOKEN_ADMIN)');
  }
  if (options.endpoint === undefined) return fail(503, 'line-protocol writes are disabled on this node (start it with --enable-ingest)');
  return null;
}

function precisionOf(precision: string | undefined, allowed: readonly string[]): bigint {
  const unit = precision === undefined || precision === '' ? 'ns' : precision;
  const factor = NANOS_PER_UNIT[unit];
  if (factor === undefined || !allowed.includes(unit)) {
    throw new ChronosError('INVALID_ARGUMENT', `precision ${JSON.stringify(unit)} is not one of ${allowed.join(', ')}`);
  }
  return factor;
}

/** The body as text, gunzipped when `Content-Encoding: gzip`, within `limit` bytes once decompressed. */
async function decodedBody(request: FastifyRequest, limit: number): Promise<string> {
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const encoding = String(request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw.toString('utf8');
  if (encoding !== 'gzip') {
    throw new ChronosError('INVALID_ARGUMENT', `Content-Encoding ${encoding} is not supported (gzip or none)`);
  }
  try {
    return (await gunzipAsync(raw, { maxOutputLength: limit })).toString('utf8');
  } catch (error) {
    if (error instanceof RangeError) throw new BodyTooLarge(tooLargeMessage(limit));
    throw new ChronosError('INVALID_ARGUMENT', `the gzipped body does not decompress: ${errorMessage(error)}`);
  }
}

/**
 * The credential as a `Bearer` value: Influx clients send `Authorization: Token X`, Telegraf's
 * 1.x output HTTP Basic with the token as password, 1.x clients may send `?p=X`.
 */
function influxCredential(authorization: string | undefined, password: string | undefined): string | undefined {
  const header = authorization?.trim() ?? '';
  const token = /^Token\s+(\S+)$/i.exec(header);
  if (token !== null) return `Bearer ${token[1] ?? ''}`;
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (basic !== null) {
    const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
    return `Bearer ${decoded.slice(decoded.indexOf(':') + 1)}`;
  }
  if (header === '' && password !== undefined && password !== '') return `Bearer ${password}`;
  return authorization;
}
