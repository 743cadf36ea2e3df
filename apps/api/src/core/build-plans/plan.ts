/**
 * What a build plan is (pure data): a generated multi-stage Dockerfile, the extra files the
 * build context needs, the output lines that explain it, and the local stack images it starts
 * FROM. The builder adds the files to `git archive` and runs the same Docker build as for a
 * Dockerfile of the app's own. Helpers shared by the stacks' plans live here too.
 */

/** Where a plan's files go in the build context (and the generated Dockerfile's name). */
export const PLAN_DIR = '.paas-build';
export const PLAN_DOCKERFILE = `${PLAN_DIR}/Dockerfile`;

/** The user the run images run as (not root): uid and gid 10001, home /home/paas. */
export const RUN_UID = 10001;
export const RUN_USER = 'paas';

/**
 * Keys every install layer by app and by `paas builds:cache:purge` (a new value empties the
 * app's cache: every RUN after it misses). Apps do not share dependency layers.
 */
export const CACHE_ARG = 'PAAS_CACHE_KEY';

export interface BuildPlan {
  /** Output lines before the Docker build (detection, choices, warnings). */
  notes: string[];
  dockerfile: string;
  /** Extra files for the context, by path under PLAN_DIR/ (besides the Dockerfile). */
  files: Record<string, string>;
  /** Build args the Dockerfile declares, with their values (config vars, the cache key). */
  buildArgs: Record<string, string>;
  /** Local stack images the Dockerfile starts FROM (checked before the build). */
  images: string[];
}

/** What every plan gets besides the repository: the app's config and the cache key. */
export interface PlanContext {
  config: Record<string, string>;
  cacheKey: string;
}

/** The lines of a run stage that make the non-root user (the same in every plan: cached once). */
export function runUserLines(): string[] {
  return [
    `RUN groupadd --gid ${RUN_UID} ${RUN_USER} && useradd --uid ${RUN_UID} --gid ${RUN_UID} --create-home --shell /bin/bash ${RUN_USER}`,
  ];
}

/**
 * The first line of a plan's build stages: one no hand-written Dockerfile has. Docker's
 * (classic) cache takes the newest of identical steps on a parent, so a `docker build
 * --no-cache` of `FROM paas/node:20` + `WORKDIR /app` would otherwise become the parent the
 * next plan build looks its dependency layer up under, and miss it.
 */
export const stageMark = (stack: string) => `LABEL paas.plan=${stack}`;

/** `ARG` lines for the config vars `names` that the app sets, and their values. */
export function configArgs(
  config: Record<string, string>,
  names: string[],
): { lines: string[]; args: Record<string, string> } {
  const lines: string[] = [];
  const args: Record<string, string> = {};
  for (const name of names) {
    const value = config[name];
    if (value === undefined || value === '') continue;
    lines.push(`ARG ${name}`);
    args[name] = value;
  }
  return { lines, args };
}

/** A JSON-array CMD for `argv`. */
export const cmd = (argv: string[]) => `CMD ${JSON.stringify(argv)}`;

export const INDENT = '       ';

/** A plan cannot be made from what the commit has (its message is the build's failure). */
export class PlanError extends Error {}
