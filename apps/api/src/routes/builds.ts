import { buildpackInstallationsUpdate } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import { requireApp } from '../core/apps.js';
import { listBuilds, showBuild } from '../core/build-history.js';
import { listBuildpacks, purgeBuildCache, setBuildpack } from '../core/buildpacks.js';
import type { Deps } from '../deps.js';
import { presentBuild } from '../present.js';
import { parseBody } from './parse.js';

export function buildRoutes(app: FastifyInstance, deps: Deps): void {
  const { presenter } = deps;
  app.get<{ Params: { app: string } }>('/apps/:app/builds', async (request) => {
    const found = requireApp(deps, request.params.app);
    return listBuilds(deps, found).map((b) => presentBuild(presenter, found, b.build, b.release));
  });

  app.get<{ Params: { app: string; build: string } }>('/apps/:app/builds/:build', async (request) => {
    const found = requireApp(deps, request.params.app);
    const { build, release, output } = showBuild(deps, found, request.params.build);
    return presentBuild(presenter, found, build, release, output);
  });

  // Heroku's builds plugin: the next build starts with an empty cache.
  app.delete<{ Params: { app: string } }>('/apps/:app/build-cache', async (request, reply) => {
    const found = requireApp(deps, request.params.app);
    await purgeBuildCache(deps, found);
    reply.code(202);
    return {};
  });

  app.get<{ Params: { app: string } }>('/apps/:app/buildpack-installations', async (request) =>
    listBuildpacks(deps, requireApp(deps, request.params.app)),
  );

  app.put<{ Params: { app: string } }>('/apps/:app/buildpack-installations', async (request, reply) => {
    const found = requireApp(deps, request.params.app);
    const { updates } = parseBody(buildpackInstallationsUpdate, request.body);
    const { release, installations } = await setBuildpack(deps, found, updates[0]?.buildpack ?? null, request.actor);
    if (release) reply.header('paas-release-version', `v${release.version}`);
    return installations;
  });
}
