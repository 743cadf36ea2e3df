import type { FastifyInstance } from 'fastify';
import { requireApp } from '../core/apps.js';
import { listBuilds, showBuild } from '../core/build-history.js';
import type { Deps } from '../deps.js';
import { presentBuild } from '../present.js';

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
}
