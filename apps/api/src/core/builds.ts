/**
 * One push → one build: the pushed commit's tree (git archive) goes to Docker as the build
 * context, built from its Dockerfile or from the plan generated for its stack
 * (build-recipe.ts); on success the image and the Procfile's process types become a new release.
 * Output goes to the pusher line by line as it comes, and into the build's record.
 * A rollback to a release whose image was collected rebuilds its commit the same way.
 */

import { once } from 'node:events';
import type { ImageEngine } from '../docker.js';
import { BuildFailed } from '../errors.js';
import type { GitRepos, QuarantineEnv } from '../git/repos.js';
import { finishBuild, insertBuild } from '../store/builds.js';
import type { Db } from '../store/db.js';
import { currentRelease } from '../store/releases.js';
import type { AppRow, BuildRow, ProcessTypes, ReleaseRow } from '../store/rows.js';
import { type BuildLimits, dockerBuildLimits, limitBuild } from './build-limits.js';
import { chooseRecipe } from './build-recipe.js';
import { buildEvent } from './events.js';
import type { ImageCollector } from './images.js';
import { ProcfileError, parseProcfile } from './procfile.js';
import { type ReleaseFlowDeps, settleRelease } from './release-flow.js';
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

/** Building a release's image again from its commit (its image was collected). */
export interface RebuildRequest {
  app: AppRow;
  commit: string;
  actor: Actor;
  /** What is rebuilt and why, for the output and the app's log: "v1's image (it was collected)". */
  what: string;
  signal: AbortSignal;
  /**
   * Makes the release with the rebuilt image (called once the image exists). The caller
   * follows it through (its release phase, the roll-out): the builder only builds.
   */
  release: (image: { id: string; tag: string }, buildId: string) => ReleaseRow;
}

export interface BuildResult {
  build: BuildRow;
  release?: ReleaseRow;
  ok: boolean;
  /** Why it failed (when !ok): the build, or the release phase of the release it made. */
  error?: string;
}

export interface BuilderDeps extends ReleaseFlowDeps {
  db: Db;
  docker: ImageEngine;
  repos: GitRepos;
  platformId: string;
  webUrl: (app: string) => string;
  /**
   * Image collection: kept from removing a just-built image before its release names it
   * (`exclusive`), and kicked after the release (`collect`).
   */
  images: Pick<ImageCollector, 'collect' | 'exclusive'>;
  /** Time, memory, CPUs and output of each build (core/build-limits.ts). */
  limits: BuildLimits;
}

const INDENT = '       ';

interface Execution {
  app: AppRow;
  repo: string;
  commit: string;
  quarantine: QuarantineEnv;
  actor: Actor;
  out: (line: string) => void;
  signal: AbortSignal;
  /** First line of the output and of the app's log event, if any. */
  intro?: string;
  startedEvent: string;
  /** What failure means, after "Build failed: …". */
  failedNote: string;
  /** Check first that the commit is in the repository (a push's commit always is). */
  checkCommit?: boolean;
  release: (image: { id: string; tag: string }, processTypes: ProcessTypes, buildId: string) => ReleaseRow;
  /** Follow the release through here (its release phase, output to `out`) and report on it. */
  settle: boolean;
}

export class Builder {
  /** Output of builds still running, by build id (finished builds read it from the store). */
  private readonly live = new Map<string, string[]>();

  constructor(private readonly deps: BuilderDeps) {}

  liveOutput(buildId: string): string | undefined {
    return this.live.get(buildId)?.join('\n');
  }

  /** A push's build: on success, release `Deploy <sha>` with the Procfile's process types. */
  run(req: BuildRequest): Promise<BuildResult> {
    return this.execute({
      ...req,
      startedEvent: `Build started by user ${req.actor.email}`,
      failedNote: 'The push was rejected and no release was made.',
      settle: true,
      release: (image, processTypes, buildId) =>
        deploy(this.deps.db, req.app, { image, processTypes, commit: req.commit, buildId }, req.actor),
    });
  }

  /**
   * Builds a commit already in the app's repository again (same tag and labels) and makes the
   * release `req.release` says. The build is recorded like a push's.
   */
  rebuild(req: RebuildRequest): Promise<BuildResult> {
    const repo = this.deps.repos.path(req.app.id);
    const short = req.commit.slice(0, 7);
    return this.execute({
      ...req,
      repo,
      quarantine: {},
      out: () => {},
      intro: `-----> Rebuilding ${req.what} from commit ${short}`,
      startedEvent: `Build started by user ${req.actor.email}: rebuilding ${req.what} from commit ${short}`,
      failedNote: 'No release was made.',
      settle: false,
      release: (image, _processTypes, buildId) => req.release(image, buildId),
      // The commit may be gone (a force push and git's garbage collection): say so, not "nothing to build".
      checkCommit: true,
    });
  }

  private async execute(req: Execution): Promise<BuildResult> {
    const { db, log, docker } = this.deps;
    const build = insertBuild(db, { appId: req.app.id, commit: req.commit, userEmail: req.actor.email });
    const lines: string[] = [];
    this.live.set(build.id, lines);
    const out = (line: string) => {
      lines.push(line);
      req.out(line);
    };
    const blog = log.child({ app: req.app.name, build: build.id, commit: req.commit });
    blog.info('build started');
    buildEvent(this.deps.logs, req.app, req.startedEvent);
    try {
      if (req.intro) out(req.intro);
      if (req.checkCommit && !(await this.deps.repos.revParse(req.repo, req.commit))) {
        throw new BuildFailed(`commit ${req.commit.slice(0, 7)} is no longer in ${req.app.name}'s repository`);
      }
      const image = await this.limitedBuild(req, out);
      const release = await this.deps.images.exclusive(async () => {
        // Collection may have removed an old release's image with this very id (a cache hit)
        // while it was built; under the guard nothing is removed, so this check holds.
        if (!(await docker.inspect(image.image.id))) {
          throw new BuildFailed(`image ${image.image.tag} was removed while it was built; try again`);
        }
        return req.release(image.image, image.processTypes, build.id);
      });
      buildEvent(this.deps.logs, req.app, 'Build succeeded');
      const built = { build: { ...build, status: 'succeeded' as const }, release };
      const finish = () =>
        finishBuild(db, build.id, {
          status: 'succeeded',
          output: lines.join('\n'),
          image: image.image,
          releaseId: release.id,
        });
      blog.info({ release: `v${release.version}`, image: image.image.id }, 'build succeeded');
      if (!req.settle) {
        finish();
        return { ...built, ok: true };
      }
      const settled = await this.settle(req, release, out);
      finish();
      return {
        ...built,
        release: settled.release,
        ok: settled.ok,
        ...(settled.reason ? { error: settled.reason } : {}),
      };
    } catch (err) {
      const message = err instanceof BuildFailed || err instanceof ProcfileError ? err.message : String(err);
      if (!(err instanceof BuildFailed || err instanceof ProcfileError)) blog.error({ err }, 'build crashed');
      const [first, ...more] = message.split('\n');
      out(`-----> Build failed: ${first}`);
      for (const line of more) out(`${INDENT}${line}`);
      out(`${INDENT}${req.failedNote}`);
      finishBuild(db, build.id, { status: 'failed', output: lines.join('\n') });
      buildEvent(this.deps.logs, req.app, `Build failed: ${first}`);
      blog.info({ reason: message }, 'build failed');
      return { build: { ...build, status: 'failed' }, ok: false, error: message };
    } finally {
      this.live.delete(build.id);
    }
  }

  /** A push's release, followed through while the pusher watches: its release phase, then the roll-out. */
  private async settle(req: Execution, release: ReleaseRow, out: (line: string) => void) {
    const pending = release.status === 'pending';
    if (pending) out(`-----> Running release command of v${release.version}...`);
    const settled = await settleRelease(this.deps, req.app, release, req.actor, (line) => out(`${INDENT}${line}`));
    if (settled.ok) {
      if (pending) out('-----> Release command succeeded');
      out(`-----> Released v${release.version}`);
      out(`${INDENT}${this.deps.webUrl(req.app.name)} deployed to paas`);
    } else {
      const current = currentRelease(this.deps.db, req.app.id);
      out(`!      Release v${release.version} failed: ${settled.reason}.`);
      out(
        `!      ${current ? `v${current.version} keeps running and stays current` : 'Nothing was rolled out'}; ` +
          `the push was rejected. Its output: paas releases:output v${release.version}`,
      );
    }
    return settled;
  }

  /** buildImage under the build limits: past one, the build is stopped and fails saying which. */
  private async limitedBuild(req: Execution, out: (line: string) => void) {
    const limited = limitBuild(this.deps.limits, req.signal, out);
    try {
      return await this.buildImage({ ...req, signal: limited.signal }, limited.out);
    } catch (err) {
      const exceeded = limited.exceeded();
      throw exceeded ? new BuildFailed(`stopped: ${exceeded}`) : err;
    } finally {
      limited.dispose();
    }
  }

  private async buildImage(
    req: Pick<Execution, 'app' | 'repo' | 'commit' | 'quarantine' | 'signal'>,
    out: (line: string) => void,
  ): Promise<{ image: { id: string; tag: string }; processTypes: ProcessTypes }> {
    const { repos, docker, platformId } = this.deps;
    const short = req.commit.slice(0, 7);
    out(`-----> Building ${req.app.name} from commit ${short}`);

    // The app's own Dockerfile, or a plan generated for the stack detected (build-recipe.ts).
    const labels = {
      'paas.platform': platformId,
      'paas.app': req.app.name,
      'paas.app-id': req.app.id,
      'paas.commit': req.commit,
    };
    const recipe = await chooseRecipe(this.deps, req, out, labels);
    const procfileText = await repos.readFile(req.repo, req.commit, 'Procfile', req.quarantine);
    const procfile = procfileText === null ? null : parseProcfile(procfileText);
    out(
      procfile
        ? `-----> Procfile declares: ${Object.keys(procfile).join(', ')}`
        : '-----> No Procfile: web runs the image CMD',
    );

    const tag = `paas/${req.app.name}:${req.commit.slice(0, 12)}`;
    const archive = repos.archive(req.repo, req.commit, req.quarantine, recipe.files);
    let archiveError = '';
    archive.stderr?.on('data', (chunk: Buffer) => {
      archiveError += chunk.toString();
    });
    const archiveExit = once(archive, 'close');
    out(`-----> Building image ${tag} (${recipe.what})`);
    if (!archive.stdout) throw new Error('git archive has no stdout');
    const { imageId } = await docker.build({
      context: archive.stdout,
      tag,
      dockerfile: recipe.dockerfile,
      buildArgs: recipe.buildArgs,
      noCache: recipe.noCache,
      labels: recipe.labels,
      onLine: out,
      signal: req.signal,
      limits: dockerBuildLimits(this.deps.limits),
    });
    const [code] = (await archiveExit) as [number | null];
    if (code !== 0) throw new BuildFailed(`git archive failed: ${archiveError.trim()}`);
    recipe.built();

    let processTypes: ProcessTypes;
    if (procfile) {
      processTypes = procfile;
    } else {
      const info = await docker.inspect(imageId);
      if (!info) throw new BuildFailed(`image ${tag} is gone`);
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
