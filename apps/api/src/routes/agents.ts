/** The agent protocol's transport: one WebSocket per agent at /agents/connect. */
import { type ApiMessage, agentMessage } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';

export function agentRoutes(app: FastifyInstance, { agents, log, intake }: Deps): void {
  app.get('/agents/connect', { websocket: true, config: { auth: 'agent' } }, (socket) => {
    let agentId: string | undefined;
    const send = (message: ApiMessage) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    socket.on('message', (data) => {
      try {
        onMessage(data);
      } catch (err) {
        log.error({ err, agent: agentId }, 'handling an agent message failed');
      }
    });
    const onMessage = (data: unknown) => {
      let parsed: ReturnType<typeof agentMessage.safeParse>;
      try {
        parsed = agentMessage.safeParse(JSON.parse(String(data)));
      } catch {
        return socket.close(1007, 'not JSON');
      }
      if (!parsed.success) {
        log.warn({ agent: agentId, issues: parsed.error.issues.slice(0, 5) }, 'malformed agent message');
        return;
      }
      const message = parsed.data;
      if (message.type === 'hello') {
        agentId = message.agentId;
        agents.connect(message, send);
      } else if (!agentId) {
        return;
      } else if (message.type === 'status') {
        agents.report(agentId, message.processes, message.services);
      } else {
        intake.receive(agentId, message, (run, seq) => send({ type: 'logs-ack', run, seq }));
      }
    };
    socket.on('close', () => {
      if (agentId) agents.disconnect(agentId, send);
    });
  });
}
