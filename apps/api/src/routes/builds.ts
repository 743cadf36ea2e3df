import type { FastifyInstance } from 'fastify';
import { requireApp } from '../core/apps.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { presentBuild } from '../present.js';
import { findBuild, listBuilds } from '../store/builds.js';
import { findRelease } from '../store/releases.js';

export function buildRoutes(app: FastifyInstance, { db, presenter, builder }: Deps): void {
  const releaseOf = (appId: string, releaseId: string | null) =>
    releaseId ? findRelease(db, appId, releaseId) : undefined;

  app.get<{ Params: { app: string } }>('/apps/:app/builds', async (request) => {
    const found = requireApp(db, request.params.app);
    return listBuilds(db, found.id).map((b) => presentBuild(presenter, found, b, releaseOf(found.id, b.release_id)));
  });

  app.get<{ Params: { app: string; build: string } }>('/apps/:app/builds/:build', async (request) => {
    const found = requireApp(db, request.params.app);
    const build = findBuild(db, found.id, request.params.build);
    if (!build) throw notFound("Couldn't find that build.");
    const output = builder.liveOutput(build.id) ?? build.output;
    return presentBuild(presenter, found, build, releaseOf(found.id, build.release_id), output);
  });
}
