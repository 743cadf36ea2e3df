/**
 * The agent channel: its own listener on PAAS_AGENT_PORT, TLS only, with a server certificate
 * signed by the platform CA (agents trust that CA and nothing else: PAAS_AGENT_CA_FILE). Apart
 * from the api's public port (plain HTTP for the CLI and git), so that no agent door is ever
 * served in the clear. Every request must prove an agent's own credential (core/agent-auth.ts);
 * anything else is refused before the WebSocket upgrade.
 */
import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { type AgentIdentity, authenticateAgent } from './core/agent-auth.js';
import type { Deps } from './deps.js';
import { agentRoutes } from './routes/agents.js';

export interface AgentChannelTls {
  key: string;
  cert: string;
}

/** The channel's Fastify instance (over TLS when `tls` is given; tests may inject without). */
export function buildAgentChannel(deps: Deps, tls?: AgentChannelTls): FastifyInstance {
  const log = deps.log.child({ component: 'agent-channel' });
  const app = (
    tls
      ? Fastify({ https: { key: tls.key, cert: tls.cert }, loggerInstance: log as FastifyBaseLogger })
      : Fastify({ loggerInstance: log as FastifyBaseLogger })
  ) as FastifyInstance;
  app.decorateRequest('agentIdentity', null as unknown as AgentIdentity);
  app.addHook('onRequest', async (request, reply) => {
    const identity = authenticateAgent(deps.db, request.headers.authorization);
    if (identity) {
      request.agentIdentity = identity;
      return;
    }
    request.log.warn({ remote: request.socket.remoteAddress }, 'refused an agent without a valid credential');
    return reply.status(401).send({ id: 'unauthorized', message: 'Invalid agent credential.' });
  });
  // A refused upgrade's socket is no connection the server ends: closed once answered.
  app.addHook('onResponse', async (request) => {
    if (request.raw.headers.upgrade?.toLowerCase() === 'websocket') request.raw.socket.destroy();
  });
  app.register(websocket, { options: { maxPayload: 16 * 1024 * 1024 } });
  app.register(async (scope) => agentRoutes(scope, deps));
  return app;
}
