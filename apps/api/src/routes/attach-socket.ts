/** An attach link's WebSocket as one end of a rendezvous (core/rendezvous.ts), for both doors. */
import { type AttachControl, attachControl } from '@paas/shared';
import type { WebSocket } from 'ws';
import type { AttachEnd, AttachPort } from '../core/rendezvous.js';

export function attachEndOf(socket: WebSocket): AttachEnd {
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

export function wireAttach(socket: WebSocket, port: AttachPort): void {
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
