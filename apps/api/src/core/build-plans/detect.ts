/**
 * Which builder a pushed commit gets, from the names at its root (pure). In order: a
 * Dockerfile (built as it is), Node.js (package.json), Python (requirements.txt or
 * pyproject.toml), Go (go.mod), a static site (index.html, static.json or public/index.html).
 * `PAAS_BUILDER` (config var, set by `paas buildpacks:set`) forces one.
 */

export type Stack = 'node' | 'python' | 'go' | 'static';
export type BuilderName = 'dockerfile' | Stack;

/** What a commit has, by path: 'blob' or 'tree' (only the paths `DETECT_PATHS` names). */
export type Entries = ReadonlyMap<string, 'blob' | 'tree'>;

/** The paths detection and the plans look at (listed with one `git ls-tree`). */
export const DETECT_PATHS = [
  'Dockerfile',
  'Procfile',
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'pnpm-lock.yaml',
  'yarn.lock',
  '.npmrc',
  '.yarnrc',
  '.yarnrc.yml',
  'pnpm-workspace.yaml',
  'server.js',
  'requirements.txt',
  'pyproject.toml',
  'app.py',
  'main.py',
  'server.py',
  'go.mod',
  'go.sum',
  'vendor/modules.txt',
  'index.html',
  'static.json',
  'public/index.html',
] as const;

export const STACK_TITLES: Record<Stack, string> = {
  node: 'Node.js',
  python: 'Python',
  go: 'Go',
  static: 'Static site',
};

/** The supported builders, as a refused push lists them. */
export const SUPPORTED = [
  'Dockerfile    (a Dockerfile at the root, built as it is)',
  'Node.js       (package.json; npm, pnpm or yarn by lockfile)',
  'Python        (requirements.txt or pyproject.toml)',
  'Go            (go.mod)',
  'Static site   (index.html, static.json or public/index.html)',
];

const ALIASES: Record<string, BuilderName> = {
  dockerfile: 'dockerfile',
  docker: 'dockerfile',
  node: 'node',
  nodejs: 'node',
  'node.js': 'node',
  python: 'python',
  go: 'go',
  golang: 'go',
  static: 'static',
};

/**
 * A `PAAS_BUILDER` value → a builder: our names (`node`, `python`, `go`, `static`,
 * `dockerfile`), Heroku's (`heroku/nodejs`, `heroku/python`, `heroku/go`, `heroku/static`) and
 * the buildpacks' repository URLs (…/heroku-buildpack-nodejs). Null: not one we know.
 */
export function parseBuilder(value: string): BuilderName | null {
  const v = value
    .trim()
    .toLowerCase()
    .replace(/\.git$/, '');
  const name = v.match(/heroku-buildpack-([a-z.]+)$/)?.[1] ?? v.match(/^heroku\/([a-z.]+)$/)?.[1] ?? v;
  return ALIASES[name] ?? null;
}

export type Detection =
  | { builder: 'dockerfile'; evidence: string[]; forced: boolean }
  | { builder: Stack; evidence: string[]; forced: boolean };

export class DetectionError extends Error {}

const present = (entries: Entries, names: string[]) => names.filter((n) => entries.get(n) === 'blob');

function evidenceFor(stack: Stack, entries: Entries): string[] {
  switch (stack) {
    case 'node':
      return present(entries, [
        'package.json',
        'package-lock.json',
        'npm-shrinkwrap.json',
        'pnpm-lock.yaml',
        'yarn.lock',
      ]);
    case 'python':
      return present(entries, ['requirements.txt', 'pyproject.toml']);
    case 'go':
      return present(entries, ['go.mod', 'go.sum', 'vendor/modules.txt']);
    case 'static':
      return present(entries, ['static.json', 'index.html', 'public/index.html']);
  }
}

/** What each stack needs at least (a forced builder without it cannot build). */
const NEEDS: Record<Stack, string> = {
  node: 'package.json',
  python: 'requirements.txt or pyproject.toml',
  go: 'go.mod',
  static: 'index.html, static.json or public/index.html',
};

/**
 * The builder for `entries`; `forced` is the app's `PAAS_BUILDER`, if set. Throws a
 * DetectionError (the push's message) when nothing fits or the forced builder cannot build.
 */
export function detect(entries: Entries, forced?: string): Detection {
  if (forced !== undefined && forced.trim() !== '') {
    const builder = parseBuilder(forced);
    if (!builder) {
      throw new DetectionError(
        `PAAS_BUILDER is "${forced}", which is not a builder paas has; use one of dockerfile, node, python, go, static (or Heroku's names, heroku/nodejs …)`,
      );
    }
    if (builder === 'dockerfile') {
      if (entries.get('Dockerfile') !== 'blob') {
        throw new DetectionError('PAAS_BUILDER is dockerfile but there is no Dockerfile at the root of the repository');
      }
      return { builder, evidence: ['Dockerfile'], forced: true };
    }
    const evidence = evidenceFor(builder, entries);
    if (evidence.length === 0 && builder !== 'static') {
      throw new DetectionError(`PAAS_BUILDER is ${forced} but the repository has no ${NEEDS[builder]} at its root`);
    }
    return { builder, evidence, forced: true };
  }
  if (entries.get('Dockerfile') === 'blob') return { builder: 'dockerfile', evidence: ['Dockerfile'], forced: false };
  for (const stack of ['node', 'python', 'go', 'static'] as const) {
    const evidence = evidenceFor(stack, entries);
    const primary = stack === 'go' ? evidence.includes('go.mod') : evidence.length > 0;
    if (primary) return { builder: stack, evidence, forced: false };
  }
  throw new DetectionError(
    [
      'paas could not tell how to build this app: there is no Dockerfile, and nothing it knows how to build at the root of the repository.',
      'Supported (detected in this order):',
      ...SUPPORTED.map((s) => `  ${s}`),
      'Add one of these, or force a builder with `paas buildpacks:set NAME`, and push again.',
    ].join('\n'),
  );
}
