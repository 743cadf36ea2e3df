/**
 * One push → one build: the pushed commit's tree (git archive) goes to Docker as the build
 * context; on success the image and the Procfile's process types become a new release.
 * Output goes to the pusher line by line as it comes, and into the build's record.
 */

import { once } from 'node:events';
import { BuildFailed, type ImageBuilder } from '../docker.js';
import type { GitRepos, QuarantineEnv } from '../git/repos.js';
import type { Logger } from '../logger.js';
import { finishBuild, insertBuild } from '../store/builds.js';
import type { Db } from '../store/db.js';
import type { AppRow, BuildRow, ProcessTypes, ReleaseRow } from '../store/rows.js';
import { buildEvent, releaseCreated } from './events.js';
import type { LogRouter } from './logs.js';
import { ProcfileError, parseProcfile } from './procfile.js';
import { type Actor, deploy } from './releases.js';

export interface BuildRequest {
  app: AppRow;
  repo: string;
  commit: string;
  quarantine: QuarantineEnv;
  actor: Actor;
  out: (line: string) => void;
  signal: AbortSignal;
}

export interface BuildResult {
  build: BuildRow;
  release?: ReleaseRow;
  ok: boolean;
}

export interface BuilderDeps {
  db: Db;
  docker: ImageBuilder;
  repos: GitRepos;
  platformId: string;
  log: Logger;
  webUrl: (app: string) => string;
  /** A release was made: the processes should change. */
  onRelease?: () => void;
  /** The app's log, for build and release events. */
  logs?: LogRouter;
}

const INDENT = '       ';

export class Builder {
  /** Output of builds still running, by build id (finished builds read it from the store). */
  private readonly live = new Map<string, string[]>();

  constructor(private readonly deps: BuilderDeps) {}

  liveOutput(buildId: string): string | undefined {
    return this.live.get(buildId)?.join('\n');
  }

  async run(req: BuildRequest): Promise<BuildResult> {
    const { db, log } = this.deps;
    const build = insertBuild(db, { appId: req.app.id, commit: req.commit, userEmail: req.actor.email });
    const lines: string[] = [];
    this.live.set(build.id, lines);
    const out = (line: string) => {
      lines.push(line);
      req.out(line);
    };
    const blog = log.child({ app: req.app.name, build: build.id, commit: req.commit });
    blog.info('build started');
    if (this.deps.logs) buildEvent(this.deps.logs, req.app, `Build started by user ${req.actor.email}`);
    try {
      const image = await this.buildImage(req, out);
      const release = deploy(
        db,
        req.app,
        { image: image.image, processTypes: image.processTypes, commit: req.commit, buildId: build.id },
        req.actor,
      );
      this.deps.onRelease?.();
      if (this.deps.logs) {
        buildEvent(this.deps.logs, req.app, 'Build succeeded');
        releaseCreated(this.deps.logs, req.app, release, req.actor);
      }
      out(`-----> Released v${release.version}`);
      out(`${INDENT}${this.deps.webUrl(req.app.name)} deployed to paas`);
      finishBuild(db, build.id, {
        status: 'succeeded',
        output: lines.join('\n'),
        image: image.image,
        releaseId: release.id,
      });
      blog.info({ release: `v${release.version}`, image: image.image.id }, 'build succeeded');
      return { build: { ...build, status: 'succeeded' }, release, ok: true };
    } catch (err) {
      const message = err instanceof BuildFailed || err instanceof ProcfileError ? err.message : String(err);
      if (!(err instanceof BuildFailed || err instanceof ProcfileError)) blog.error({ err }, 'build crashed');
      out(`-----> Build failed: ${message}`);
      out(`${INDENT}The push was rejected and no release was made.`);
      finishBuild(db, build.id, { status: 'failed', output: lines.join('\n') });
      if (this.deps.logs) buildEvent(this.deps.logs, req.app, `Build failed: ${message}`);
      blog.info({ reason: message }, 'build failed');
      return { build: { ...build, status: 'failed' }, ok: false };
    } finally {
      this.live.delete(build.id);
    }
  }

  private async buildImage(
    req: BuildRequest,
    out: (line: string) => void,
  ): Promise<{ image: { id: string; tag: string }; processTypes: ProcessTypes }> {
    const { repos, docker, platformId } = this.deps;
    const short = req.commit.slice(0, 7);
    out(`-----> Building ${req.app.name} from commit ${short}`);

    const dockerfile = await repos.readFile(req.repo, req.commit, 'Dockerfile', req.quarantine);
    if (dockerfile === null) {
      throw new BuildFailed(
        'no Dockerfile at the root of the repository. paas builds apps from a Dockerfile ' +
          '(plus an optional Procfile naming the process types); add one and push again.',
      );
    }
    const procfileText = await repos.readFile(req.repo, req.commit, 'Procfile', req.quarantine);
    const procfile = procfileText === null ? null : parseProcfile(procfileText);
    out(
      procfile
        ? `-----> Procfile declares: ${Object.keys(procfile).join(', ')}`
        : '-----> No Procfile: web runs the image CMD',
    );

    const tag = `paas/${req.app.name}:${req.commit.slice(0, 12)}`;
    const archive = repos.archive(req.repo, req.commit, req.quarantine);
    let archiveError = '';
    archive.stderr?.on('data', (chunk: Buffer) => {
      archiveError += chunk.toString();
    });
    const archiveExit = once(archive, 'close');
    out(`-----> Building image ${tag} (Dockerfile)`);
    if (!archive.stdout) throw new Error('git archive has no stdout');
    const { imageId } = await docker.build({
      context: archive.stdout,
      tag,
      labels: {
        'paas.platform': platformId,
        'paas.app': req.app.name,
        'paas.commit': req.commit,
      },
      onLine: out,
      signal: req.signal,
    });
    const [code] = (await archiveExit) as [number | null];
    if (code !== 0) throw new BuildFailed(`git archive failed: ${archiveError.trim()}`);

    let processTypes: ProcessTypes;
    if (procfile) {
      processTypes = procfile;
    } else {
      const info = await docker.inspect(imageId);
      if (!info.cmd?.length && !info.entrypoint?.length) {
        throw new BuildFailed(
          'there is no Procfile and the image has no CMD or ENTRYPOINT, so there is nothing to run',
        );
      }
      processTypes = { web: null };
    }
    return { image: { id: imageId, tag }, processTypes };
  }
}
