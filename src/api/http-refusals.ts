import type { FastifyInstance, FastifyReply } from 'fastify';

/** The variables whose values a caller of the admin HTTP sends as its bearer token. */
const TOKEN_VARIABLES = {
  read: 'CHRONOS_AUTH_TOKEN_ADMIN or CHRONOS_AUTH_TOKEN_READONLY',
  admin: 'CHRONOS_AUTH_TOKEN_ADMIN',
  ingest: 'CHRONOS_AUTH_TOKEN_INGEST or CHRONOS_AUTH_TOKEN_ADMIN',
} as const;

/**
 * Answers 401 for a missing or wrong token, with the WWW-Authenticate challenge RFC 7235 asks
 * of every 401 (HTTP clients and proxies look for it) and the token the endpoint takes.
 */
export function sendUnauthenticated(
  reply: FastifyReply, reason: 'missing' | 'invalid', token: keyof typeof TOKEN_VARIABLES,
  scheme: 'Bearer' | 'Token' = 'Bearer',
): FastifyReply {
  const error = reason === 'missing' ? 'invalid_request' : 'invalid_token';
  return reply.code(401)
    .header('www-authenticate', `${scheme} realm="chronosdb", error="${error}"`)
    .send({ error: `unauthenticated: ${reason} bearer token (send Authorization: ${scheme} <token>, ` +
      `the value of ${TOKEN_VARIABLES[token]})` });
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/**
 * Answers 405 with an Allow header when the path exists under another method (a GET of
 * /ingest, a POST to /health), and fastify's own 404 otherwise.
 */
export function answerWrongMethods(app: FastifyInstance): void {
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?', 1)[0] ?? request.url;
    const allowed = METHODS.filter((method) => app.hasRoute({ method, url: path }));
    if (allowed.length > 0) {
      return reply.code(405).header('allow', allowed.join(', '))
        .send({ error: `${request.method} is not allowed on ${path}; use ${allowed.join(' or ')}` });
    }
    return reply.code(404).send({ message: `Route ${request.method}:${path} not found`, error: 'Not Found', statusCode: 404 });
  });
}
