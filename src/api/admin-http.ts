import { Readable } from 'node:stream';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenAuth } from '../auth/index.js';
import type { NodeMetrics } from './metrics.js';
import type { NodeStatus } from './node-status.js';
import { healthBody } from './node-status.js';
import { registerMembershipRoutes } from './membership-routes.js';
import { answerWrongMethods, sendUnauthenticated } from './http-refusals.js';
import { INGEST_BODY_BYTES_DEFAULT, registerIngestRoutes } from './ingest-routes.js';
import type { IngestEndpoint } from './ingest-routes.js';
import { registerWriteRoutes, WRITE_BODY_BYTES_DEFAULT } from './write-routes.js';
import type { WriteEndpoint } from './write-routes.js';
import type { MemberChangeRequest, MembersAnswer } from './membership-routes.js';

/** What the admin HTTP server needs from the node. */
export interface AdminDependencies {
  status(): NodeStatus;
  readonly metrics: NodeMetrics;
  readonly auth: TokenAuth;
  /** Journals `POST /ingest` bodies; absent without --enable-ingest (the endpoint answers 503). */
  readonly ingest?: IngestEndpoint;
  /** `CHRONOS_INGEST_MAX_BODY_BYTES`. */
  readonly ingestMaxBodyBytes?: number;
  /** Journals line-protocol bodies (`/write`, `/api/v2/write`); absent without --enable-ingest (503). */
  readonly write?: WriteEndpoint;
  /** `CHRONOS_WRITE_MAX_BODY_BYTES`: the decompressed limit of a line-protocol body. */
  readonly writeMaxBodyBytes?: number;
  /** A consistent online backup stream (`GET /snapshot`); absent = 503. */
  readonly exportBackup?: () => Promise<AsyncIterable<Uint8Array>>;
  /** Adds or removes a member through the log (`/cluster/*`); absent = 503. */
  readonly changeMembership?: (change: MemberChangeRequest) => Promise<MembersAnswer>;
  /** Recent log entries' hop times on this node (`GET /debug/write-hops`); absent = 404. */
  readonly writeHops?: () => ReadonlyArray<{ readonly index: number; readonly at: Readonly<Record<string, number>> }>;
  /** TLS material for https; absent = plain http. */
  readonly https?: { readonly cert: Buffer; readonly key: Buffer; readonly ca?: Buffer };
}

/** Builds the admin app (health, metrics); the caller decides when and where it listens. */
export function buildAdminApp(deps: AdminDependencies): FastifyInstance {
  const app = deps.https === undefined
    ? Fastify({ logger: false })
    : Fastify({
        logger: false,
        https: {
          cert: deps.https.cert,
          key: deps.https.key,
          ...(deps.https.ca === undefined
            ? {}
            : { ca: deps.https.ca, requestCert: true, rejectUnauthorized: true }),
        },
      }) as unknown as FastifyInstance;

  const requireRead = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const decision = deps.auth.check(request.headers.authorization);
    if (!decision.ok) {
      await sendUnauthenticated(reply, decision.reason, 'read');
    } else if (decision.level === 'ingest') {
      await reply.code(403).send({ error: 'permission denied: the ingest token only allows /ingest and /write' });
    }
  };

  app.get('/health', { onRequest: requireRead }, async (_request, reply) => {
    await reply.type('application/json').send(healthBody(deps.status()));
  });

  app.get('/metrics', { onRequest: requireRead }, async (_request, reply) => {
    const { contentType, body } = await deps.metrics.render();
    await reply.type(contentType).send(body);
  });

  const writeHops = deps.writeHops;
  if (writeHops !== undefined) {
    app.get('/debug/write-hops', { onRequest: requireRead }, async (_request, reply) => {
      await reply.type('application/json').send({ entries: writeHops() });
    });
  }

  registerIngestRoutes(app, {
    auth: deps.auth, metrics: deps.metrics.ingest, endpoint: deps.ingest,
    maxBodyBytes: deps.ingestMaxBodyBytes ?? INGEST_BODY_BYTES_DEFAULT,
  });
  registerWriteRoutes(app, {
    auth: deps.auth, metrics: deps.metrics.write, endpoint: deps.write,
    maxBodyBytes: deps.writeMaxBodyBytes ?? WRITE_BODY_BYTES_DEFAULT,
  });

  app.get('/snapshot', async (request, reply) => {
    const decision = deps.auth.check(request.headers.authorization);
    if (!decision.ok) {
      return sendUnauthenticated(reply, decision.reason, 'admin');
    }
    if (decision.level !== 'admin' && decision.level !== 'open') {
      return reply.code(403).send({ error: 'permission denied: /snapshot needs the admin token' });
    }
    if (deps.exportBackup === undefined) {
      return reply.code(503).send({ error: 'snapshots are not available on this server' });
    }
    const chunks = await deps.exportBackup();
    return reply
      .type('application/octet-stream')
      .header('content-disposition', 'attachment; filename="chronos.snap"')
      .send(Readable.from(chunks));
  });

  registerMembershipRoutes(app, deps.auth, deps.changeMembership);
  answerWrongMethods(app);
  return app;
}
