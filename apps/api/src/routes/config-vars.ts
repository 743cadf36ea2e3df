import { configVarsPatch } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import { requireApp } from '../core/apps.js';
import { getConfig, releaseConfig, setConfig } from '../core/config-vars.js';
import type { Deps } from '../deps.js';
import { parseBody } from './parse.js';

export function configVarRoutes(app: FastifyInstance, deps: Deps): void {
  app.get<{ Params: { app: string } }>('/apps/:app/config-vars', async (request) =>
    getConfig(deps, requireApp(deps, request.params.app)),
  );

  app.patch<{ Params: { app: string } }>('/apps/:app/config-vars', async (request, reply) => {
    const found = requireApp(deps, request.params.app);
    const patch = parseBody(configVarsPatch, request.body);
    // A change waiting for the app's lock is dropped if its client hangs up meanwhile.
    const hangUp = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) hangUp.abort();
    };
    reply.raw.on('close', onClose);
    let release: Awaited<ReturnType<typeof setConfig>>;
    try {
      release = await setConfig(deps, found, patch, request.actor, hangUp.signal);
    } finally {
      reply.raw.off('close', onClose);
    }
    // The release this change made, so that clients need not guess it from the list.
    reply.header('paas-release-version', `v${release.version}`);
    return release.config;
  });

  app.get<{ Params: { app: string; release: string } }>('/apps/:app/releases/:release/config-vars', async (request) =>
    releaseConfig(deps, requireApp(deps, request.params.app), request.params.release),
  );
}
