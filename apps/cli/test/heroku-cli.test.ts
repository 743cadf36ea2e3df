/**
 * The unmodified Heroku CLI (npm `heroku@11`) drives paas: apps, config, releases, rollback,
 * formation, dynos and logs, against a real api and agent. It runs with a throwaway HOME and
 * with a preloaded guard that records and refuses any connection, DNS lookup or UDP send to
 * anything but the api's port: the test fails if the CLI reaches for anything else.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  appName,
  type CliResult,
  cleanEnv,
  commitAll,
  eventually,
  git,
  loggedInHome,
  makeRepo,
  NODE_DOCKERFILE,
  paas,
  routerGet,
  startPlatform,
  tempDir,
} from '@paas/testkit';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const GUARD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'net-guard.cjs');
const CLI_DIR = path.join(os.homedir(), '.cache', 'paas', 'heroku-cli-11');
const HEROKU = path.join(CLI_DIR, 'node_modules', 'heroku', 'bin', 'run.js');

/** heroku@11 from the npm registry, once per machine (about a minute). */
async function ensureHerokuCli(): Promise<void> {
  if (fs.existsSync(HEROKU)) return;
  fs.mkdirSync(CLI_DIR, { recursive: true });
  fs.writeFileSync(path.join(CLI_DIR, 'package.json'), '{"private":true}\n');
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', 'heroku@11'], {
    cwd: CLI_DIR,
    maxBuffer: 16 * 1024 * 1024,
  });
}

const SERVER = `require('node:http').createServer((req, res) => {
  console.log('served ' + req.url);
  res.end('hello from ' + process.env.DYNO + '\\n');
}).listen(process.env.PORT);
process.on('SIGTERM', () => process.exit(0));
`;

it('runs the Heroku CLI against paas, reaching nothing but the api', async () => {
  await ensureHerokuCli();
  const platform = await startPlatform();
  try {
    const agent = await platform.startAgent('agent-1');
    const herokuHome = tempDir('heroku-home-');
    const guardLog = path.join(herokuHome, 'net-guard.log');
    const env = {
      ...cleanEnv(),
      HOME: herokuHome,
      HEROKU_HOST: platform.url,
      HEROKU_API_KEY: platform.token,
      DISABLE_TELEMETRY: 'true',
      HEROKU_SKIP_NEW_VERSION_CHECK: 'true',
      HEROKU_DISABLE_AUTOUPDATE: 'true',
      HEROKU_PARTICLEBOARD_URL: platform.url,
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      NODE_OPTIONS: `--require ${GUARD}`,
      PAAS_NET_GUARD_LOG: guardLog,
      PAAS_NET_GUARD_ALLOW: `${platform.port},${platform.rendezvousPort}`,
      // `heroku run` verifies the rendezvous service's certificate: it trusts the platform CA.
      NODE_EXTRA_CA_CERTS: platform.caFile,
    };
    /** The Heroku CLI to its end; stdin is `input`, then closed. */
    const herokuWith = (input: string, ...args: string[]) =>
      new Promise<CliResult>((resolve) => {
        const child = execFile(process.execPath, [HEROKU, ...args], { env, cwd: herokuHome }, (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
        child.stdin?.end(input);
      });
    const heroku = (...args: string[]) => herokuWith('', ...args);
    const ok = async (...args: string[]) => {
      const r = await heroku(...args);
      expect(r.code, `heroku ${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r;
    };

    // Apps.
    const app = appName('hk');
    const created = await ok('apps:create', app);
    expect(created.stderr + created.stdout).toContain(`Creating ${app}... done`);
    expect((await ok('apps')).stdout).toContain(app);

    // Deploy with git (the Heroku CLI has no part in that), so there are processes.
    const home = await loggedInHome(platform);
    const repo = await makeRepo(home, { files: { Dockerfile: NODE_DOCKERFILE, 'server.js': SERVER } });
    expect((await paas(['git:remote', '-a', app], { home, cwd: repo })).code).toBe(0);
    expect((await git(['push', 'paas', 'main'], { cwd: repo, home })).code).toBe(0);

    const info = await ok('apps:info', '-a', app);
    expect(info.stdout).toContain(`=== ${app}`);
    expect(info.stdout).toMatch(/Web URL: +http:\/\/.*\.localhost/);
    expect(info.stdout).toMatch(/Dynos: +web: 1/);

    // Config: each change prints the release it made.
    expect((await ok('config:set', 'FOO=one', '-a', app)).stderr).toMatch(
      /Setting FOO and restarting .*\.\.\. done, v2/,
    );
    expect((await ok('config:get', 'FOO', '-a', app)).stdout).toBe('one\n');
    expect((await ok('config:set', 'BAR=two', '-a', app)).stderr).toMatch(/done, v3/);
    expect((await ok('config', '-a', app)).stdout).toMatch(/BAR: +two\nFOO: +one|FOO: +one\nBAR: +two/);
    expect((await ok('config:unset', 'BAR', '-a', app)).stderr).toMatch(
      /Unsetting BAR and restarting .*\.\.\. done, v4/,
    );

    // Releases newest first; rollback to v2 makes v5 with v2's config.
    const releases = (await ok('releases', '-a', app)).stdout;
    expect(releases).toContain(`=== ${app} Releases - Current: v4`);
    const order = [...releases.matchAll(/^\s+v(\d+)\s/gm)].map((m) => Number(m[1]));
    expect(order).toEqual([4, 3, 2, 1]);
    expect((await ok('releases:info', 'v2', '-a', app)).stdout).toMatch(/=== Release v2[\s\S]*Set FOO config vars/);
    expect((await ok('rollback', 'v2', '-a', app)).stderr).toMatch(/Rolling back .* to v2\.\.\. done, v5/);
    const v5 = await platform.api<Record<string, string>>('GET', `/apps/${app}/releases/5/config-vars`);
    expect(v5.body).toEqual({ FOO: 'one' });
    // With no version: the second release eligible for rollback, newest first (v5 is current).
    const bare = await ok('rollback', '-a', app);
    expect(bare.stderr).toMatch(/Rolling back .* to v4\.\.\. done, v6/);
    expect((await ok('releases:info', '-a', app)).stdout).toMatch(/Eligible for Rollback\?: +Yes/);

    // Formation and dynos.
    expect((await ok('ps:scale', 'web=2', '-a', app)).stderr).toMatch(/now running web at 2:Basic/);
    const formation = await platform.api<{ type: string; quantity: number }[]>('GET', `/apps/${app}/formation`);
    expect(formation.body.find((f) => f.type === 'web')?.quantity).toBe(2);
    const ps = await eventually(async () => {
      const r = await heroku('ps', '-a', app);
      return /web\.1: up/.test(r.stdout) && /web\.2: up/.test(r.stdout) ? r.stdout : undefined;
    }, 60_000);
    expect(ps).toMatch(/=== web \(Basic\): \(image CMD\) \(2\)/);
    expect((await ok('ps:restart', '--process-type', 'web', '-a', app)).stderr).toMatch(/done/);
    expect((await ok('ps:stop', '--dyno-name', 'web.2', '-a', app)).stderr).toMatch(/done/);
    expect((await ok('ps:restart', '-a', app)).stderr).toMatch(/Restarting all dynos .*\.\.\. done/);

    // Logs: the last five, and a tail that sees a line printed after it started.
    const recent = (await ok('logs', '-n', '5', '-a', app)).stdout.trim().split('\n');
    expect(recent).toHaveLength(5);
    for (const l of recent) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 (app|paas)\[[\w.]+\]: /);
    expect((await ok('logs', '-n', '3', '--dyno', 'router', '-a', app)).code).toBe(0);
    expect((await ok('logs', '-n', '3', '--source', 'paas', '-a', app)).stdout).not.toMatch(/ app\[/);
    const tail = spawn(process.execPath, [HEROKU, 'logs', '--tail', '-n', '1', '-a', app], { env, cwd: herokuHome });
    let tailed = '';
    tail.stdout.on('data', (c: Buffer) => {
      tailed += c.toString();
    });
    try {
      const marker = `/tail-marker-${Date.now()}`;
      await eventually(async () => tailed.includes('+00:00 '), 30_000, 'the tail to start (its one line of history)');
      await routerGet(agent.routerPort, `${app}.localhost`, { path: marker });
      await eventually(
        async () =>
          tailed.includes(`served ${marker}`) && tailed.includes(`paas[router]: at=info method=GET path="${marker}"`),
        30_000,
        `the tail to show ${marker}`,
      );
    } finally {
      tail.kill();
    }

    // One-offs: `heroku run -x` over the TLS rendezvous shows the output and passes the exit
    // status on; `heroku run:detached` points at the log, where the output is, as run.N.
    const x = await heroku('run', '-x', '-a', app, '--', 'sh', '-c', 'echo one-off-out; exit 3');
    expect(x.code, x.stderr).toBe(3);
    expect(x.stdout).toBe('one-off-out\n');
    expect(x.stderr).toMatch(/Running sh -c "echo one-off-out; exit 3" on .*up, run\.\d+/);
    // Without a TTY its stdin ends with ^D, which closes the process's stdin.
    const piped = await herokuWith('data\n', 'run', '--no-tty', '-a', app, '--', 'cat');
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toBe('data\n');
    const detached = await ok('run:detached', '-a', app, '--', 'echo', 'detached-from-heroku');
    const dyno = /--dyno (run\.\d+)/.exec(detached.stdout)?.[1] ?? '';
    expect(dyno, detached.stdout).toMatch(/^run\.\d+$/);
    await eventually(
      async () =>
        (await heroku('logs', '--dyno', dyno, '-a', app)).stdout.includes(`app[${dyno}]: detached-from-heroku`),
      30_000,
      'the detached output in heroku logs',
    );

    // A one-off in `heroku ps` while it runs, and `heroku ps:stop run.N`.
    const sleeper = /--dyno (run\.\d+)/.exec((await ok('run:detached', '-a', app, '--', 'sleep', '120')).stdout)?.[1];
    expect(sleeper).toMatch(/^run\.\d+$/);
    const withOneOff = await eventually(
      async () => {
        const r = await heroku('ps', '-a', app);
        return new RegExp(`^${sleeper?.replace('.', '\\.')}\\b.*: up `, 'm').test(r.stdout) ? r.stdout : undefined;
      },
      30_000,
      `${sleeper} up in heroku ps`,
    );
    expect(withOneOff).toMatch(/=== run: one-off processes/);
    expect(withOneOff).toMatch(/: sleep 120$/m);
    expect((await ok('ps:stop', sleeper ?? '', '-a', app)).stderr).toMatch(/done/);
    await eventually(
      async () => !(await heroku('ps', '-a', app)).stdout.includes(`${sleeper}`),
      30_000,
      `${sleeper} stopped`,
    );

    // Release phase: a Procfile `release:` command. releases:output streams its output (the
    // URL needs no Authorization); a config change runs it again; a bare rollback runs it and
    // streams it.
    fs.writeFileSync(path.join(repo, 'Procfile'), 'web: node server.js\nrelease: echo "release phase of $DYNO"\n');
    await commitAll(repo, home, 'a release command');
    const withPhase = await git(['push', 'paas', 'main'], { cwd: repo, home });
    expect(withPhase.code, withPhase.stderr).toBe(0);
    expect(withPhase.stderr).toContain('release phase of release.7');
    expect((await ok('releases:output', '-a', app)).stdout).toBe('release phase of release.7\n');
    expect((await ok('releases:output', 'v7', '-a', app)).stdout).toBe('release phase of release.7\n');
    expect((await ok('releases:output', 'v6', '-a', app)).stderr).toContain(
      'Release v6 has no release output available.',
    );
    expect((await ok('config:set', 'BAZ=three', '-a', app)).stderr).toMatch(/done, v8/);
    // Heroku's config:set does not wait for the release command; the rollback below picks its
    // target from the releases eligible then, so wait for v8 to be decided.
    await eventually(
      async () =>
        (await platform.api<{ status: string }>('GET', `/apps/${app}/releases/8`)).body.status === 'succeeded',
      30_000,
      'v8 to succeed',
    );
    const phased = await ok('rollback', '-a', app);
    expect(phased.stderr).toMatch(/Rolling back .* to v7\.\.\. done, v9/);
    expect(phased.stdout).toBe('Running release command...\nrelease phase of release.9\n');
    expect((await ok('releases', '-a', app)).stdout).toContain(`=== ${app} Releases - Current: v9`);

    // Add-ons: create a Postgres add-on (provisioned and attached as DATABASE_URL in a
    // release), list it, show it, destroy it (the var goes in another release).
    const pg = await ok('addons:create', 'heroku-postgresql', '-a', app);
    expect(pg.stderr).toMatch(/Creating heroku-postgresql on .*\.\.\. free/);
    const pgName = /Created (postgresql-[a-z]+-\d+) as DATABASE_URL/.exec(pg.stdout)?.[1] ?? '';
    expect(pgName, pg.stdout).not.toBe('');
    expect((await ok('config:get', 'DATABASE_URL', '-a', app)).stdout).toMatch(
      new RegExp(`^postgres://u[0-9a-f]+:[0-9a-f]+@${pgName}:5432/d[0-9a-f]+\n$`),
    );
    expect((await ok('releases', '-a', app)).stdout).toMatch(/v10\s+Attach DATABASE resource/);
    const listed = (await ok('addons', '-a', app)).stdout;
    expect(listed).toMatch(new RegExp(`heroku-postgresql \\(${pgName}\\)\\s+essential-0\\s+free\\s+free\\s+created`));
    const listedJson = JSON.parse((await ok('addons', '-a', app, '--json')).stdout);
    expect(listedJson[0].attachments.map((a: { name: string }) => a.name)).toEqual(['DATABASE']);
    const shown = (await ok('addons:info', pgName, '-a', app)).stdout;
    expect(shown).toContain(`=== ${pgName}`);
    expect(shown).toMatch(/Attachments: +.*::DATABASE/);
    expect(shown).toMatch(new RegExp(`Owning app: +${app}`));
    expect(shown).toMatch(/Plan: +heroku-postgresql:essential-0/);
    expect(shown).toMatch(/State: +created/);
    const gone = await ok('addons:destroy', pgName, '-a', app, '--confirm', app);
    expect(gone.stderr).toMatch(new RegExp(`Destroying ${pgName} on .*\\.\\.\\. done`));
    expect((await ok('config', '-a', app)).stdout).not.toContain('DATABASE_URL');
    expect((await ok('addons', '-a', app)).stdout).toMatch(/No add-ons for app/);

    // Destroy.
    expect((await ok('apps:destroy', app, '--confirm', app)).stderr).toMatch(/Destroying .*\.\.\. done/);
    expect((await ok('apps')).stdout).not.toContain(app);

    // Our own CLI is unchanged against the same api.
    expect((await paas(['apps'], { home })).code).toBe(0);

    // And the Heroku CLI reached for nothing but the api.
    const attempts = fs.existsSync(guardLog) ? fs.readFileSync(guardLog, 'utf8') : '';
    expect(attempts).toBe('');
  } finally {
    await platform.removeContainers();
    await platform.stop();
  }
}, 600_000);
