/**
 * The api's request log, with the secrets some URLs carry taken out: a log session's and a
 * release output's token are path segments (`/log-sessions/<token>`, `/release-output/<token>`),
 * and a query parameter may be a token (`?token=`, `?secret=`…). Fastify's own request lines
 * would print `request.url` whole, so they are off and these take their place (same messages).
 */
import type { FastifyInstance } from 'fastify';

const SECRET_SEGMENT = /^(\/(?:log-sessions|release-output)\/)[^/?#]+/;
const SECRET_PARAM = /token|secret|key|password|passwd|auth|sig|credential/i;

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q === -1 ? url : url.slice(0, q)).replace(SECRET_SEGMENT, '$1[redacted]');
  if (q === -1) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      return eq !== -1 && SECRET_PARAM.test(decodeURIComponentSafe(name)) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${path}?${query}`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Logs each request and its answer as Fastify would, with the URL redacted. */
export function requestLogging(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    request.log.info(
      {
        req: {
          method: request.method,
          url: redactUrl(request.url),
          host: request.host,
          remoteAddress: request.ip,
        },
      },
      'incoming request',
    );
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime }, 'request completed');
  });
}
