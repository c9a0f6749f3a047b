import type { FastifyInstance } from 'fastify';

/**
 * Makes every route of `scope` read its body whatever the Content-Type says, malformed ones too
 * (`text`, `json`, `text/plain,application/json`): fastify answers 415 to a type it cannot parse
 * before any body parser runs, and devices and agents send such headers. The routes read their
 * bodies as bytes, so the type is not used; only Content-Encoding is.
 */
export function acceptAnyContentType(scope: FastifyInstance): void {
  scope.addHook('onRequest', (request, _reply, done) => {
    if (request.headers['content-type'] !== undefined) request.headers['content-type'] = 'application/octet-stream';
    done();
  });
}
