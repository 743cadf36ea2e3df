import { releaseCreateBody } from '@paas/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireApp } from '../core/apps.js';
import type { ReleaseRow } from '../core/release-history.js';
import { listReleases, openReleaseOutput, releaseOutputToken, rollback, showRelease } from '../core/release-history.js';
import type { Deps } from '../deps.js';
import { presentRelease } from '../present.js';
import { baseUrl, parseBody } from './parse.js';

/**
 * `paas-image-rebuild: <commit>`: on a release, its image was collected, so a rollback to it
 * builds it again from that commit; on a rollback's answer, that it did.
 */
export const REBUILD_HEADER = 'paas-image-rebuild';

export function releaseRoutes(app: FastifyInstance, deps: Deps): void {
  const { presenter } = deps;
  /** A release's output URL (a fresh token each time it is shown), or null if it has no release command. */
  const outputUrl = (request: FastifyRequest, release: ReleaseRow) => {
    const token = releaseOutputToken(deps, release);
    return token === null ? null : `${baseUrl(request)}/release-output/${token}`;
  };

  app.get<{ Params: { app: string } }>('/apps/:app/releases', async (request) => {
    const found = requireApp(deps, request.params.app);
    const { releases, current } = listReleases(deps, found);
    return releases.map((r) => presentRelease(presenter, found, r, current, outputUrl(request, r)));
  });

  app.get<{ Params: { app: string; release: string } }>('/apps/:app/releases/:release', async (request, reply) => {
    const found = requireApp(deps, request.params.app);
    const { release, current, rebuildFrom } = await showRelease(deps, found, request.params.release);
    if (rebuildFrom) reply.header(REBUILD_HEADER, rebuildFrom);
    return presentRelease(presenter, found, release, current, outputUrl(request, release));
  });

  // Creating a release from an existing one is a rollback (Heroku's shape). With a release
  // command, the answer is the new release `pending`; its output URL follows the command.
  app.post<{ Params: { app: string } }>('/apps/:app/releases', async (request, reply) => {
    const found = requireApp(deps, request.params.app);
    const body = parseBody(releaseCreateBody, request.body);
    // A rebuild takes a while: a client that hangs up meanwhile cancels it (and no release is made).
    const hangUp = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) hangUp.abort();
    };
    reply.raw.on('close', onClose);
    try {
      const { release, rebuiltFrom } = await rollback(deps, found, body.release, request.actor, hangUp.signal);
      if (rebuiltFrom) reply.header(REBUILD_HEADER, rebuiltFrom);
      const { current } = listReleases(deps, found);
      return reply.status(201).send(presentRelease(presenter, found, release, current, outputUrl(request, release)));
    } finally {
      reply.raw.off('close', onClose);
    }
  });

  // A release command's output: no Authorization (the token in the URL is the credential).
  // Plain text; while the command runs, what it prints follows until it ends.
  app.get<{ Params: { token: string } }>(
    '/release-output/:token',
    { config: { auth: false } },
    async (request, reply) => {
      const output = openReleaseOutput(deps, request.params.token);
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' });
      raw.write(output.text);
      if (output.state === 'done') return raw.end();
      raw.flushHeaders();
      const stop = output.listen(
        (text) => raw.write(text),
        () => raw.end(),
      );
      raw.on('close', stop);
    },
  );
}
