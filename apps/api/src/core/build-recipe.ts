/**
 * What a commit is built from: its own Dockerfile, or the generated plan of the stack it is
 * detected as (build-plans/). Says so in the build's output, checks that the plan's local
 * stack images exist, and returns what the builder hands to `git archive` and Docker.
 */
import type { ImageEngine } from '../docker.js';
import { BuildFailed } from '../errors.js';
import type { GitRepos, QuarantineEnv } from '../git/repos.js';
import { buildCacheGeneration, dockerfilePurgeDone, pendingDockerfilePurge } from '../store/build-cache.js';
import type { Db } from '../store/db.js';
import type { AppRow } from '../store/rows.js';
import {
  CACHE_ARG,
  DETECT_PATHS,
  DetectionError,
  detect,
  detectedLine,
  makePlan,
  PLAN_DIR,
  PLAN_DOCKERFILE,
  PlanError,
} from './build-plans/index.js';
import { currentConfig } from './releases.js';

export interface Recipe {
  /** 'Dockerfile', or the stack's title for a generated plan. */
  what: string;
  /** The Dockerfile's path in the build context. */
  dockerfile: string;
  /** Files added to the commit's tree for the build (path → text). */
  files: Record<string, string>;
  buildArgs: Record<string, string>;
  /**
   * Labels for Docker to add (the Dockerfile's build); a plan has them in its Dockerfile
   * already, in one LABEL step (Docker adds one step per label, each a container).
   */
  labels: Record<string, string>;
  /** Build with no cache at all (a Dockerfile's first build since `builds:cache:purge`). */
  noCache: boolean;
  /** Called once the image is built (a purge counts as done only then). */
  built: () => void;
}

export interface RecipeDeps {
  db: Db;
  repos: GitRepos;
  docker: Pick<ImageEngine, 'inspect'>;
}

export async function chooseRecipe(
  deps: RecipeDeps,
  req: { app: AppRow; repo: string; commit: string; quarantine: QuarantineEnv },
  out: (line: string) => void,
  labels: Record<string, string>,
): Promise<Recipe> {
  const entries = await deps.repos.listPaths(req.repo, req.commit, DETECT_PATHS, req.quarantine);
  const config = currentConfig(deps.db, req.app.id);
  let detection: ReturnType<typeof detect>;
  try {
    detection = detect(entries, config.PAAS_BUILDER);
  } catch (err) {
    if (err instanceof DetectionError) throw new BuildFailed(err.message);
    throw err;
  }
  if (detection.builder === 'dockerfile') {
    if (detection.forced) out('-----> Dockerfile build (PAAS_BUILDER)');
    const purge = pendingDockerfilePurge(deps.db, req.app.id);
    if (purge) out('-----> Build cache purged: building without cache');
    return {
      what: 'Dockerfile',
      dockerfile: 'Dockerfile',
      files: {},
      buildArgs: {},
      labels,
      noCache: purge !== null,
      built: () => {
        if (purge) dockerfilePurgeDone(deps.db, req.app.id, purge);
      },
    };
  }
  out(detectedLine(detection.builder, detection.evidence, detection.forced));
  const cacheKey = `${req.app.id}:${buildCacheGeneration(deps.db, req.app.id)}`;
  let plan: Awaited<ReturnType<typeof makePlan>>;
  try {
    plan = await makePlan(
      detection.builder,
      { entries, read: (path) => deps.repos.readFile(req.repo, req.commit, path, req.quarantine) },
      { config, cacheKey },
    );
  } catch (err) {
    if (err instanceof PlanError) throw new BuildFailed(err.message);
    throw err;
  }
  for (const line of plan.notes) out(line);
  for (const image of plan.images) {
    if (!(await deps.docker.inspect(image))) {
      throw new BuildFailed(
        `this host has no ${image} stack image, which ${detection.builder} builds start from; ` +
          'the operator makes it with deploy/host-setup.sh',
      );
    }
  }
  const labelLine = `LABEL ${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ')}\n`;
  // Build stages carry the app's labels too: its build cache, which builds:cache:purge and the
  // collection of a destroyed app's images remove.
  const stageLabels = `LABEL paas.platform=${JSON.stringify(labels['paas.platform'] ?? '')} paas.app-id=${JSON.stringify(req.app.id)} paas.build-cache="1"`;
  const dockerfile = plan.dockerfile.replaceAll(`\nARG ${CACHE_ARG}\n`, `\nARG ${CACHE_ARG}\n${stageLabels}\n`);
  const files: Record<string, string> = { [PLAN_DOCKERFILE]: dockerfile + labelLine };
  for (const [name, text] of Object.entries(plan.files)) files[`${PLAN_DIR}/${name}`] = text;
  return {
    what: `generated ${detection.builder} plan`,
    dockerfile: PLAN_DOCKERFILE,
    files,
    buildArgs: plan.buildArgs,
    labels: {},
    noCache: false,
    built: () => {},
  };
}
