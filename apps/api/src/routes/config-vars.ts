import { configVarsPatch } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import { requireApp } from '../core/apps.js';
import { releaseCreated } from '../core/events.js';
import { currentConfig, setConfigVars } from '../core/releases.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { findRelease } from '../store/releases.js';
import { parseBody } from './parse.js';

export function configVarRoutes(app: FastifyInstance, { db, log, orchestrator, logs, images }: Deps): void {
  app.get<{ Params: { app: string } }>('/apps/:app/config-vars', async (request) => {
    const found = requireApp(db, request.params.app);
    return currentConfig(db, found.id);
  });

  app.patch<{ Params: { app: string } }>('/apps/:app/config-vars', async (request, reply) => {
    const found = requireApp(db, request.params.app);
    const patch = parseBody(configVarsPatch, request.body);
    const release = setConfigVars(db, found, patch, request.actor);
    log.info({ app: found.name, release: `v${release.version}` }, release.description);
    releaseCreated(logs, found, release, request.actor);
    orchestrator.poke();
    images.collect(); // the release that falls out of the kept ones may take an image with it
    // The release this change made, so that clients need not guess it from the list.
    reply.header('paas-release-version', `v${release.version}`);
    return release.config;
  });

  app.get<{ Params: { app: string; release: string } }>('/apps/:app/releases/:release/config-vars', async (request) => {
    const found = requireApp(db, request.params.app);
    const release = findRelease(db, found.id, request.params.release);
    if (!release) throw notFound("Couldn't find that release.");
    return release.config;
  });
}
