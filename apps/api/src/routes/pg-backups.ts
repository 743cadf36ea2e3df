/** pg:backups (paas's own resource: Heroku serves these from its Postgres API, not v3). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireApp } from '../core/apps.js';
import type { Deps } from '../deps.js';
import { invalid } from '../errors.js';
import { presentBackup } from '../present-addons.js';
import { parseBody } from './parse.js';

const captureBody = z.object({ database: z.string().min(1).optional() });
const restoreBody = z.object({ database: z.string().min(1).optional(), confirm: z.string().optional() });

type BackupParams = { Params: { app: string; backup: string } };

export function pgBackupRoutes(app: FastifyInstance, deps: Deps): void {
  const { backups } = deps;
  const present = (found: ReturnType<typeof requireApp>) => (b: Parameters<typeof presentBackup>[1]) =>
    presentBackup(found, b);

  app.get<{ Params: { app: string } }>('/apps/:app/pg-backups', async (request) => {
    const found = requireApp(deps, request.params.app);
    return backups.list(found).map(present(found));
  });

  app.post<{ Params: { app: string } }>('/apps/:app/pg-backups', async (request, reply) => {
    const found = requireApp(deps, request.params.app);
    const body = parseBody(captureBody, request.body);
    return reply.status(201).send(present(found)(await backups.capture(found, body.database)));
  });

  app.get<BackupParams>('/apps/:app/pg-backups/:backup', async (request) => {
    const found = requireApp(deps, request.params.app);
    return present(found)(backups.find(found, latest(request.params.backup)));
  });

  app.get<BackupParams>('/apps/:app/pg-backups/:backup/download', async (request, reply) => {
    const found = requireApp(deps, request.params.app);
    const { backup, size, stream } = backups.open(found, latest(request.params.backup));
    return reply
      .type('application/octet-stream')
      .header('content-length', size)
      .header(
        'content-disposition',
        `attachment; filename="${found.name}-b${String(backup.num).padStart(3, '0')}.dump"`,
      )
      .send(stream);
  });

  app.post<BackupParams>('/apps/:app/pg-backups/:backup/restore', async (request) => {
    const found = requireApp(deps, request.params.app);
    const body = parseBody(restoreBody, request.body);
    if (body.confirm !== found.name) {
      throw invalid(`Restoring replaces the database of ${found.name}: confirm with the app's name.`);
    }
    return present(found)(await backups.restore(found, latest(request.params.backup), body.database));
  });
}

/** `latest` (or nothing) means the newest backup that succeeded. */
const latest = (ref: string) => (ref === 'latest' ? undefined : ref);
