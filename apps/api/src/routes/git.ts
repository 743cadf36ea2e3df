/**
 * Smart-HTTP git at /<app>.git: info/refs, git-receive-pack (push) and git-upload-pack
 * (clone/fetch). Auth is HTTP basic with the API token as password; errors are plain text,
 * which git shows to the user as `remote:` lines.
 */
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../app.js';
import type { GitService } from '../git/repos.js';
import { findApp } from '../store/apps.js';

const SERVICES = new Set<GitService>(['git-receive-pack', 'git-upload-pack']);

const pktLine = (text: string) => `${(text.length + 4).toString(16).padStart(4, '0')}${text}`;

function gitError(reply: FastifyReply, status: number, message: string) {
  return reply.status(status).type('text/plain').send(`${message}\n`);
}

function appNameOf(repo: string): string | undefined {
  return /^([a-z][a-z0-9-]*)\.git$/.exec(repo)?.[1];
}

export function gitRoutes(app: FastifyInstance, { db, repos, pushes, log }: Deps): void {
  app.addContentTypeParser(
    ['application/x-git-receive-pack-request', 'application/x-git-upload-pack-request'],
    (_request, payload, done) => done(null, payload),
  );

  const resolve = (reply: FastifyReply, repo: string) => {
    const name = appNameOf(repo);
    const found = name ? findApp(db, name) : undefined;
    if (!found) {
      gitError(reply, 404, "Couldn't find that app.");
      return undefined;
    }
    return found;
  };

  app.get<{ Params: { repo: string }; Querystring: { service?: string } }>(
    '/:repo/info/refs',
    { config: { auth: 'git' } },
    async (request, reply) => {
      const found = resolve(reply, request.params.repo);
      if (!found) return reply;
      const service = request.query.service as GitService;
      if (!SERVICES.has(service)) return gitError(reply, 403, 'Only smart HTTP git is supported; upgrade git.');
      const child = repos.service(service, repos.path(found.id), { advertise: true });
      const body = new PassThrough();
      body.write(`${pktLine(`# service=${service}\n`)}0000`);
      child.stdout?.pipe(body);
      child.stderr?.on('data', (chunk: Buffer) => log.warn({ app: found.name, stderr: chunk.toString() }, 'git'));
      return reply
        .header('content-type', `application/x-${service}-advertisement`)
        .header('cache-control', 'no-cache')
        .send(body);
    },
  );

  for (const service of SERVICES) {
    app.post<{ Params: { repo: string } }>(`/:repo/${service}`, { config: { auth: 'git' } }, async (request, reply) => {
      const found = resolve(reply, request.params.repo);
      if (!found) return reply;
      const repo = repos.path(found.id);
      let input = request.body as Readable;
      if (request.headers['content-encoding'] === 'gzip') input = input.pipe(createGunzip());

      const push =
        service === 'git-receive-pack' ? pushes.begin({ app: found, repo, actor: request.actor }) : undefined;
      const child = repos.service(service, repo, { advertise: false, env: push?.env });
      let exited = false;
      child.on('close', () => {
        exited = true;
        push?.end();
      });
      child.on('error', (err) => log.error({ err, app: found.name }, 'git failed to start'));
      child.stderr?.on('data', (chunk: Buffer) => log.warn({ app: found.name, stderr: chunk.toString() }, 'git'));
      input.on('error', () => child.kill());
      if (child.stdin) input.pipe(child.stdin);
      // A pusher that hangs up mid-push cancels it (and its build, via the hook's socket).
      reply.raw.on('close', () => {
        if (!exited && !reply.raw.writableFinished) child.kill();
      });
      return reply
        .header('content-type', `application/x-${service}-result`)
        .header('cache-control', 'no-cache')
        .send(child.stdout);
    });
  }
}
