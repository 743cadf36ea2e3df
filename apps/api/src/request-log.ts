/**
 * The api's request log, with the secrets some URLs carry taken out: a log session's and a
 * release output's token are path segments (`/log-sessions/<token>`, `/release-output/<token>`),
 * and a query parameter may be a token (`?token=`, `?secret=`…). Fastify's own request lines
 * would print `request.url` whole: its log controller is replaced by one that redacts it.
 */
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

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

/** What a request log line shows of a request: Fastify's fields, the URL redacted. */
function shown(request: FastifyRequest) {
  return { method: request.method, url: redactUrl(request.url), host: request.host, remoteAddress: request.ip };
}

/**
 * Fastify's log controller, with every line that would show a request's URL showing it
 * redacted instead (incoming requests, errors, not-found routes); the rest as Fastify does it.
 */
export class RedactingLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.info({ req: shown(request) }, 'incoming request');
  }

  override defaultErrorLog(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (reply.statusCode >= 500) reply.log.error({ req: shown(request), res: reply, err: error }, error?.message);
    else reply.log.info({ res: reply, err: error }, error?.message);
  }

  override routeNotFound(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.info(`Route ${request.method}:${redactUrl(request.url)} not found`);
  }

  override writeHeadError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    reply.log.warn({ req: shown(request), res: reply, err: error }, error?.message);
  }
}
