/**
 * The agent channel's doors (served on PAAS_AGENT_PORT over TLS, agent-channel.ts), each for
 * an agent that proved its own credential (request.agentIdentity):
 * - `/agents/connect`: the agent protocol, one WebSocket per agent. Its `hello` must name the
 *   agent the credential is for; status is taken only for the processes placed on it.
 * - `/agents/attach/:id`: an attached one-off's stdio, only for a one-off placed on that agent.
 * A credential revoked or replaced while connected closes the connection (the registry checks
 * on each converge; every message is checked too).
 */
import { type ApiMessage, agentMessage } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { credentialStands } from '../core/agent-auth.js';
import type { Deps } from '../deps.js';
import { attachEndOf, wireAttach } from './attach-socket.js';

/** WebSocket close codes: the agent's credential does not (or no longer) allow this; a newer connection of it took over. */
export const REFUSED = 4401;
export const REPLACED = 4409;

export function agentRoutes(app: FastifyInstance, deps: Deps): void {
  const { agents, log, intake, db, rendezvous } = deps;

  app.get('/agents/connect', { websocket: true }, (socket, request) => {
    const identity = request.agentIdentity;
    const remote = request.socket.remoteAddress ?? '';
    let agentId: string | undefined;
    const send = (message: ApiMessage) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    const cutOff = (why: string, code = REFUSED) => {
      log.warn({ agent: identity.agentId, remote }, why);
      socket.close(code, why.slice(0, 100));
    };
    socket.on('message', (data) => {
      try {
        onMessage(data);
      } catch (err) {
        log.error({ err, agent: agentId }, 'handling an agent message failed');
      }
    });
    const onMessage = (data: unknown) => {
      if (!credentialStands(db, identity)) return cutOff('agent credential revoked: connection closed');
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
        if (message.agentId !== identity.agentId) {
          return cutOff(`refused a hello as agent ${message.agentId}: the credential is agent ${identity.agentId}'s`);
        }
        agentId = message.agentId;
        agents.connect(message, send, {
          identity,
          remote,
          close: (why, reason) => cutOff(why, reason === 'replaced' ? REPLACED : REFUSED),
        });
      } else if (!agentId) {
        return;
      } else if (message.type === 'status') {
        agents.report(agentId, message.processes, message.services, message.tasks, message.gates);
      } else {
        intake.receive(agentId, message, (run, seq) => send({ type: 'logs-ack', run, seq }));
      }
    };
    socket.on('close', () => {
      if (agentId) agents.disconnect(agentId, send);
    });
  });

  app.get<{ Params: { id: string } }>('/agents/attach/:id', { websocket: true }, (socket: WebSocket, request) => {
    const { agentId } = request.agentIdentity;
    if (!agents.runsOneOff(agentId, request.params.id)) {
      log.warn(
        { agent: agentId, oneOff: request.params.id },
        'refused an attach link for a one-off not placed on its agent',
      );
      return socket.close(REFUSED, 'not placed on this agent');
    }
    const port = rendezvous.joinAgent(request.params.id, attachEndOf(socket));
    if (!port) return socket.close(1008, 'no such session');
    wireAttach(socket, port);
  });
}
