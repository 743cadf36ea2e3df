/**
 * The WebSocket doors of the one-off rendezvous (core/rendezvous.ts):
 * - `/apps/:app/run`: `paas run`'s, with the API token. Its first text frame is a dyno
 *   create body (POST /apps/:app/dynos's); the api makes the attached one-off, joins this
 *   socket to its session itself (the secret never leaves the api) and answers
 *   `{type: 'dyno', dyno}` (or `error` and closes), then it is an attach link. One
 *   connection and one round trip before the process can start, where POST then attach
 *   takes two of each.
 * - `/rendezvous`: any client of an attach_url; the one-time secret from attach_url, in the
 *   `X-Paas-Rendezvous` header (not the path: request log lines show paths), is its
 *   credential (no token needed).
 * The agent running the one-off joins on the agent channel (routes/agents.ts).
 * Binary frames carry the process's bytes, text frames the JSON control messages
 * (`attachControl`). The Heroku CLI's door is TLS (routes/rendezvous-tls.ts).
 */
import { type AttachControl, dynoCreateBody, RENDEZVOUS_SECRET_HEADER, type RunDoorStarted } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import { requireApp } from '../core/apps.js';
import { runOneOff } from '../core/one-offs.js';
import type { AttachPort } from '../core/rendezvous.js';
import type { Deps } from '../deps.js';
import { invalid, PaasError } from '../errors.js';
import { presentOneOff } from '../present.js';
import { attachEndOf, wireAttach } from './attach-socket.js';
import { parseBody } from './parse.js';

/** How long `/apps/:app/run` waits for its first frame (the one-off to run). */
const FIRST_FRAME_TIMEOUT_MS = 30_000;

export function rendezvousRoutes(app: FastifyInstance, deps: Deps): void {
  const { rendezvous } = deps;

  app.get<{ Params: { app: string } }>('/apps/:app/run', { websocket: true }, (socket, request) => {
    socket.on('error', () => socket.terminate());
    const idle = setTimeout(() => socket.close(1008, 'no one-off asked for'), FIRST_FRAME_TIMEOUT_MS);
    socket.once('close', () => clearTimeout(idle));
    socket.once('message', (data, isBinary) => {
      clearTimeout(idle);
      let port: AttachPort | undefined;
      try {
        if (isBinary) throw invalid('The first frame must be the one-off to run (JSON).');
        const found = requireApp(deps, request.params.app);
        let json: unknown;
        try {
          json = JSON.parse(String(data));
        } catch {
          throw new PaasError('bad_request', 'Request body is not valid JSON.');
        }
        const body = { ...parseBody(dynoCreateBody, json), attach: true };
        const started = runOneOff(deps, found, body, request.actor, deps.config.PAAS_RUN_TIMEOUT);
        port = started.secret ? rendezvous.joinClient(started.secret, attachEndOf(socket)) : undefined;
        if (!port) throw new Error('the one-off has no session');
        socket.send(
          JSON.stringify({ type: 'dyno', dyno: presentOneOff(found, started, null) } satisfies RunDoorStarted),
        );
      } catch (err) {
        if (!(err instanceof PaasError)) request.log.error({ err }, 'one-off failed to start');
        const message = err instanceof PaasError ? err.message : 'Internal server error.';
        socket.send(JSON.stringify({ type: 'error', message } satisfies AttachControl));
        return socket.close(1008, 'refused');
      }
      wireAttach(socket, port);
    });
  });

  app.get('/rendezvous', { websocket: true, config: { auth: false } }, (socket, request) => {
    const secret = String(request.headers[RENDEZVOUS_SECRET_HEADER] ?? '');
    const port = rendezvous.joinClient(secret, attachEndOf(socket));
    if (!port) {
      socket.send(JSON.stringify({ type: 'error', message: 'This attach URL is unknown, used or expired.' }));
      return socket.close(1008, 'unknown secret');
    }
    wireAttach(socket, port);
  });
}
