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
 * - `/agents/attach/:id`: the agent running the one-off (agent token).
 * Binary frames carry the process's bytes, text frames the JSON control messages
 * (`attachControl`). The Heroku CLI's door is TLS (routes/rendezvous-tls.ts).
 */
import {
  type AttachControl,
  attachControl,
  dynoCreateBody,
  RENDEZVOUS_SECRET_HEADER,
  type RunDoorStarted,
} from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { requireApp } from '../core/apps.js';
import { runOneOff } from '../core/one-offs.js';
import type { AttachEnd, AttachPort } from '../core/rendezvous.js';
import type { Deps } from '../deps.js';
import { invalid, PaasError } from '../errors.js';
import { presentOneOff } from '../present.js';
import { parseBody } from './parse.js';

/** How long `/apps/:app/run` waits for its first frame (the one-off to run). */
const FIRST_FRAME_TIMEOUT_MS = 30_000;

function endOf(socket: WebSocket): AttachEnd {
  return {
    data: (chunk) => {
      if (socket.readyState === socket.OPEN) socket.send(chunk, { binary: true });
    },
    control: (m: AttachControl) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
    },
    close: () => socket.close(1000),
    backlog: () => socket.bufferedAmount,
    pause: () => socket.pause(),
    resume: () => socket.resume(),
  };
}

function wire(socket: WebSocket, port: AttachPort): void {
  socket.on('message', (data, isBinary) => {
    if (isBinary) return port.data(data as Buffer);
    try {
      const parsed = attachControl.safeParse(JSON.parse(String(data)));
      if (parsed.success) port.control(parsed.data);
    } catch {}
  });
  socket.on('close', () => port.closed());
  socket.on('error', () => socket.terminate());
}

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
        port = started.secret ? rendezvous.joinClient(started.secret, endOf(socket)) : undefined;
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
      wire(socket, port);
    });
  });

  app.get('/rendezvous', { websocket: true, config: { auth: false } }, (socket, request) => {
    const secret = String(request.headers[RENDEZVOUS_SECRET_HEADER] ?? '');
    const port = rendezvous.joinClient(secret, endOf(socket));
    if (!port) {
      socket.send(JSON.stringify({ type: 'error', message: 'This attach URL is unknown, used or expired.' }));
      return socket.close(1008, 'unknown secret');
    }
    wire(socket, port);
  });

  app.get<{ Params: { id: string } }>(
    '/agents/attach/:id',
    { websocket: true, config: { auth: 'agent' } },
    (socket, request) => {
      const port = rendezvous.joinAgent(request.params.id, endOf(socket));
      if (!port) return socket.close(1008, 'no such session');
      wire(socket, port);
    },
  );
}
