/**
 * Build plans for commits without a Dockerfile: detection (detect.ts) and one plan per
 * stack, each a pure function of what it reads from the commit. `makePlan` reads those
 * files through `RepoView` and returns the plan the builder runs.
 */
import { type Entries, STACK_TITLES, type Stack } from './detect.js';
import { goPlan } from './go.js';
import { nodePlan } from './node.js';
import type { BuildPlan, PlanContext } from './plan.js';
import { pythonPlan } from './python.js';
import { staticPlan } from './static.js';

export { DETECT_PATHS, DetectionError, detect, parseBuilder, STACK_TITLES, type Stack, SUPPORTED } from './detect.js';
export { type BuildPlan, CACHE_ARG, PLAN_DIR, PLAN_DOCKERFILE, PlanError } from './plan.js';

/** The commit, as plans see it: which DETECT_PATHS it has, and a file's text. */
export interface RepoView {
  entries: Entries;
  read(path: string): Promise<string | null>;
}

const blobs = (entries: Entries) => new Set([...entries].filter(([, t]) => t === 'blob').map(([p]) => p));

/** The line that says what was detected: `-----> Node.js app detected (package.json, …)`. */
export function detectedLine(stack: Stack, evidence: string[], forced: boolean): string {
  const why = forced ? `PAAS_BUILDER${evidence.length ? `; ${evidence.join(', ')}` : ''}` : evidence.join(', ');
  return `-----> ${STACK_TITLES[stack]} app detected (${why})`;
}

export async function makePlan(stack: Stack, repo: RepoView, ctx: PlanContext): Promise<BuildPlan> {
  const files = blobs(repo.entries);
  const hasProcfile = files.has('Procfile');
  const read = async (path: string) => (files.has(path) ? repo.read(path) : null);
  switch (stack) {
    case 'node': {
      const lock = await read('pnpm-lock.yaml');
      const yarnLock = files.has('yarn.lock') ? ((await read('yarn.lock')) ?? '') : '';
      return nodePlan(
        {
          packageJson: (await read('package.json')) ?? '{}',
          files,
          ...(lock ? { pnpmLockVersion: lock.match(/^lockfileVersion:\s*'?([\d.]+)/m)?.[1] ?? '9' } : {}),
          yarnBerry: /^__metadata:/m.test(yarnLock),
          hasProcfile,
        },
        ctx,
      );
    }
    case 'python':
      return pythonPlan(
        { requirements: await read('requirements.txt'), hasPyproject: files.has('pyproject.toml'), files, hasProcfile },
        ctx,
      );
    case 'go':
      return goPlan(
        {
          goMod: (await read('go.mod')) ?? '',
          hasGoSum: files.has('go.sum'),
          vendored: files.has('vendor/modules.txt'),
          hasProcfile,
        },
        ctx,
      );
    case 'static':
      return staticPlan({ staticJson: await read('static.json'), files, hasProcfile }, ctx);
  }
}
