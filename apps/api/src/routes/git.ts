/**
 * Smart-HTTP git at /<app>.git: info/refs, git-receive-pack (push) and git-upload-pack
 * (clone/fetch). Auth is HTTP basic with the API token as password; errors are plain text,
 * which git shows to the user as `remote:` lines.
 */
import type { ChildProcess } from 'node:child_process';
import { PassThrough, pipeline, Readable, type Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import { lookupApp } from '../core/apps.js';
import type { Deps } from '../deps.js';
import { ByteCap, pushTooLarge, sidebandError } from '../git/push-limit.js';
import type { GitService } from '../git/repos.js';

const SERVICES = new Set<GitService>(['git-receive-pack', 'git-upload-pack']);

const pktLine = (text: string) => `${(text.length + 4).toString(16).padStart(4, '0')}${text}`;

function gitError(reply: FastifyReply, status: number, message: string) {
  return reply.status(status).type('text/plain').send(`${message}\n`);
}

function appNameOf(repo: string): string | undefined {
  return /^([a-z][a-z0-9-]*)\.git$/.exec(repo)?.[1];
}

export function gitRoutes(app: FastifyInstance, deps: Deps): void {
  const { repos, pushes } = deps;
  app.addContentTypeParser(
    ['application/x-git-receive-pack-request', 'application/x-git-upload-pack-request'],
    (_request, payload, done) => done(null, payload),
  );

  const resolve = (reply: FastifyReply, repo: string) => {
    const name = appNameOf(repo);
    const found = name ? lookupApp(deps, name) : undefined;
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
      const log = request.log.child({ app: found.name, service });
      const child = repos.service(service, repos.path(found.id), { advertise: true });
      watch(child, log);
      const body = new PassThrough();
      body.write(`${pktLine(`# service=${service}\n`)}0000`);
      pipeline(child.stdout as Readable, body, (err) => {
        if (err) {
          log.warn({ err }, 'git advertisement ended early');
          child.kill();
        }
      });
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) child.kill();
      });
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
      // Checked before git starts: a git that never gets its input would wait forever.
      const contentType = `application/x-${service}-request`;
      if (!(request.body instanceof Readable) || mediaType(request.headers['content-type']) !== contentType) {
        return gitError(reply, 415, `Expected a ${service} request body (content-type ${contentType}).`);
      }
      const encoding = mediaType(request.headers['content-encoding']);
      if (encoding !== '' && encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip') {
        return gitError(reply, 415, `Unsupported content-encoding ${encoding}: send gzip or none.`);
      }
      const log = request.log.child({ app: found.name, service });
      const repo = repos.path(found.id);
      const limit = deps.config.PAAS_MAX_PUSH_SIZE;
      const declared = Number(request.headers['content-length'] ?? 0);
      if (service === 'git-receive-pack' && declared > limit) return gitError(reply, 413, pushTooLarge(limit));

      const push =
        service === 'git-receive-pack' ? pushes.begin({ app: found, repo, actor: request.actor }) : undefined;
      let child: ChildProcess;
      try {
        child = repos.service(service, repo, { advertise: false, env: push?.env });
      } catch (err) {
        push?.end();
        throw err;
      }
      let exited = false;
      // 'exit', not only 'close': a hook git left behind may hold git's pipes open.
      const end = () => {
        exited = true;
        push?.end();
      };
      child.on('exit', end);
      child.on('close', end);
      child.on('error', end);
      watch(child, log);

      // Junk input makes git exit early, and writing the rest of the body then fails (EPIPE);
      // a bad gzip body fails in gunzip. Either way this request is over, not the api.
      // A push is capped as it comes, compressed and inflated (git/push-limit.ts).
      const output = new PassThrough();
      let tooLarge = false;
      const refuse = () => {
        if (tooLarge) return;
        tooLarge = true;
        log.warn({ limit }, 'push refused: larger than PAAS_MAX_PUSH_SIZE');
        (child.stdout as Readable).unpipe(); // git exits at the end of its input, refusing it too
        output.end(sidebandError(pushTooLarge(limit)));
      };
      // What git is given (inflated) is capped; a gzip body is capped as it comes too.
      const capped = service === 'git-receive-pack';
      const gzip = encoding === 'gzip' || encoding === 'x-gzip';
      const input: NodeJS.ReadWriteStream[] = [];
      if (gzip) input.push(...(capped ? [new ByteCap(limit, refuse, false)] : []), createGunzip());
      if (capped) input.push(new ByteCap(limit, refuse));
      pipeline([request.body, ...input, child.stdin as Writable], (err) => {
        if (!err || tooLarge) return;
        log.warn({ err: err.message }, 'git request body not delivered');
        child.kill();
      });
      pipeline(child.stdout as Readable, output, (err) => {
        if (!err || tooLarge) return;
        log.warn({ err: err.message }, 'git response ended early');
        child.kill();
      });
      // A pusher that hangs up mid-push cancels it: git is stopped, and its exit ends the push
      // (a waiting turn is given up, a build cancelled, the app's lock released).
      reply.raw.on('close', () => {
        if (!exited && !reply.raw.writableFinished) child.kill();
      });
      return reply
        .header('content-type', `application/x-${service}-result`)
        .header('cache-control', 'no-cache')
        .send(output);
    });
  }
}

/** A header's value without parameters, lower case ('' when absent). */
function mediaType(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return (value ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Logs what a git child says on stderr, a failure to start it and failed pipes; none is ever fatal. */
function watch(child: ChildProcess, log: FastifyBaseLogger): void {
  child.on('error', (err) => log.error({ err }, 'git failed to start'));
  // Pipelines report stdin/stdout failures; these listeners only make sure none is ever unhandled.
  child.stdin?.on('error', (err) => log.debug({ err: err.message }, 'git stdin failed'));
  child.stdout?.on('error', (err) => log.debug({ err: err.message }, 'git stdout failed'));
  child.stderr?.on('error', (err) => log.warn({ err: err.message }, 'git stderr failed'));
  child.stderr?.on('data', (chunk: Buffer) => log.warn({ stderr: chunk.toString() }, 'git'));
}
