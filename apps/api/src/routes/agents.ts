/** The agent protocol's transport: one WebSocket per agent at /agents/connect. */
import { type ApiMessage, agentMessage } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../app.js';
import { findApp } from '../store/apps.js';

export function agentRoutes(app: FastifyInstance, { orchestrator, log, logs, db }: Deps): void {
  app.get('/agents/connect', { websocket: true, config: { auth: 'agent' } }, (socket) => {
    let agentId: string | undefined;
    const send = (message: ApiMessage) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    socket.on('message', (data) => {
      let parsed: ReturnType<typeof agentMessage.safeParse>;
      try {
        parsed = agentMessage.safeParse(JSON.parse(String(data)));
      } catch {
        return socket.close(1007, 'not JSON');
      }
      if (!parsed.success) {
        log.warn({ agent: agentId, issues: parsed.error.issues }, 'malformed agent message');
        return;
      }
      const message = parsed.data;
      if (message.type === 'hello') {
        agentId = message.agentId;
        orchestrator.connect(message, send);
      } else if (!agentId) {
        return;
      } else if (message.type === 'status') {
        orchestrator.report(agentId, message.processes);
      } else {
        for (const batch of message.apps) {
          const found = findApp(db, batch.app);
          if (!found) continue; // destroyed meanwhile
          const ref = { id: found.id, name: found.name };
          if (batch.dropped) {
            logs.event(
              ref,
              'logs',
              `Error L12 (local buffer overflow): agent ${agentId} dropped ${batch.dropped} messages`,
            );
          }
          logs.publish(ref, batch.lines);
        }
      }
    });
    socket.on('close', () => {
      if (agentId) orchestrator.disconnect(agentId, send);
    });
  });
}
