/**
 * The WebSocket doors of the one-off rendezvous (core/rendezvous.ts):
 * - `/rendezvous`: a `paas run` client; the one-time secret from attach_url, in the
 *   `X-Paas-Rendezvous` header (not the path: request log lines show paths), is its
 *   credential (no token needed).
 * - `/agents/attach/:id`: the agent running the one-off (agent token).
 * Binary frames carry the process's bytes, text frames the JSON control messages
 * (`attachControl`). The Heroku CLI's door is TLS (routes/rendezvous-tls.ts).
 */
import { type AttachControl, attachControl, RENDEZVOUS_SECRET_HEADER } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { AttachEnd, AttachPort } from '../core/rendezvous.js';
import type { Deps } from '../deps.js';

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

export function rendezvousRoutes(app: FastifyInstance, { rendezvous }: Deps): void {
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
