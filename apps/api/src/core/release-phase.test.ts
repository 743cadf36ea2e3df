/**
 * The release phase against a real container: DockerOneOffRunner on the real Docker engine
 * (the image is the stack's debian), a real store and log router. Nothing is mocked.
 */
import path from 'node:path';
import { recordPlatform, tempDir } from '@paas/testkit';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerImageEngine } from '../docker.js';
import { insertApp } from '../store/apps.js';
import { insertBuild } from '../store/builds.js';
import { migrate, openDb, platformId } from '../store/db.js';
import { findReleaseOutput } from '../store/release-outputs.js';
import { currentRelease, findRelease } from '../store/releases.js';
import type { AppRow } from '../store/rows.js';
import { DockerOneOffRunner } from './docker-one-off.js';
import { LogRouter } from './logs.js';
import { ReleasePhases } from './release-phase.js';
import { deploy, setConfigVars } from './releases.js';

const IMAGE = 'paas/debian:bookworm';
const log = pino({ level: 'silent' });
const docker = new DockerImageEngine();
const routers: LogRouter[] = [];
afterAll(() => {
  for (const r of routers) r.close();
});

async function setup(timeoutMs = 60_000) {
  const db = openDb(path.join(tempDir('paas-phase-'), 'paas.db'));
  migrate(db);
  recordPlatform(platformId(db));
  const logs = new LogRouter({ db, log });
  routers.push(logs);
  const runner = new DockerOneOffRunner({ docker, platformId: platformId(db), stopTimeout: 1 });
  const phases = new ReleasePhases({ db, log, logs, runner, timeoutMs, saveMs: 100 });
  const image = await docker.inspect(IMAGE);
  if (!image) throw new Error(`${IMAGE} is missing: run deploy/images/build.sh`);
  const app = insertApp(db, `phase-${Math.random().toString(36).slice(2, 8)}`);
  setConfigVars(db, app, { GREETING: 'hello' }, { email: 'me' });
  const release = (command: string) => {
    const buildId = insertBuild(db, { appId: app.id, commit: 'c2', userEmail: 'me' }).id;
    const processTypes = { web: 'x', release: command };
    const r = deploy(
      db,
      app,
      { image: { id: image.id, tag: IMAGE }, processTypes, commit: 'c2', buildId },
      { email: 'me' },
    );
    expect(r.status).toBe('pending');
    return r;
  };
  const appLog = (a: AppRow) => logs.recent(a, {}, 100).map((e) => `${e.source}[${e.process}]: ${e.line}`);
  return { db, logs, phases, app, release, appLog };
}

describe('release phase in a real container', () => {
  it('exit 0: the release succeeds; its output reaches the caller, the app log and the store', async () => {
    const { db, phases, app, release, appLog } = await setup();
    const v2 = release('echo "migrating as $DYNO with $GREETING"; echo to-stderr >&2; echo done');
    const lines: string[] = [];
    const result = await phases.run(app, v2, (line) => lines.push(line));
    expect(result).toEqual({ ok: true, exitCode: 0, reason: null });
    // stdout and stderr are two pipes: their relative order is not kept, each one's is.
    expect(lines.filter((l) => l !== 'to-stderr')).toEqual(['migrating as release.2 with hello', 'done']);
    expect(lines).toContain('to-stderr');
    expect(findRelease(db, app.id, 2)?.status).toBe('succeeded');
    expect(currentRelease(db, app.id)?.version).toBe(2);
    expect(findReleaseOutput(db, v2.id)?.output).toBe(`${lines.join('\n')}\n`);
    const appLines = appLog(app);
    expect(appLines).toContain('app[release.2]: migrating as release.2 with hello');
    expect(appLines.at(-1)).toBe('paas[api]: Release command of v2 succeeded');
    expect(phases.follow(v2.id)).toEqual({ state: 'done', text: `${lines.join('\n')}\n` });
  });

  it('non-zero exit: the release fails, the previous one stays current, the output says why', async () => {
    const { db, phases, app, release, appLog } = await setup();
    const v2 = release('echo "cannot migrate"; exit 3');
    const result = await phases.run(app, v2, () => {});
    expect(result).toEqual({ ok: false, exitCode: 3, reason: 'the release command exited with status 3' });
    expect(findRelease(db, app.id, 2)?.status).toBe('failed');
    expect(currentRelease(db, app.id)?.version).toBe(1);
    expect(findReleaseOutput(db, v2.id)?.output).toBe('cannot migrate\nthe release command exited with status 3\n');
    expect(appLog(app).at(-1)).toBe('paas[api]: Release v2 failed: the release command exited with status 3');
  });

  it('past the timeout: stopped, and the release fails', async () => {
    const { db, phases, app, release } = await setup(1500);
    const v2 = release('echo started; sleep 60');
    const began = Date.now();
    const result = await phases.run(app, v2, () => {});
    expect(Date.now() - began).toBeLessThan(15_000);
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/did not finish within 1.5 s \(PAAS_RELEASE_TIMEOUT\)/);
    expect(findRelease(db, app.id, 2)?.status).toBe('failed');
    expect(findReleaseOutput(db, v2.id)?.output).toMatch(/^started\n.*did not finish/);
  });

  it('a follower gets what came so far, then the rest live, then the end', async () => {
    const { phases, app, release } = await setup();
    const v2 = release('echo one; sleep 1; echo two');
    expect(phases.follow(v2.id)).toEqual({ state: 'not-started' });
    let sawOne!: () => void;
    const one = new Promise<void>((resolve) => {
      sawOne = resolve;
    });
    const running = phases.run(app, v2, (line) => line === 'one' && sawOne());
    await one;
    const follow = phases.follow(v2.id);
    if (follow.state !== 'running') throw new Error(`expected running, got ${follow.state}`);
    expect(follow.text).toBe('one\n');
    let rest = '';
    const ended = new Promise<void>((resolve) => follow.listen((t) => (rest += t), resolve));
    await ended;
    expect(rest).toBe('two\n');
    await running;
  });

  it('a follower of a failing command sees why it failed, last', async () => {
    const { phases, app, release } = await setup();
    const v2 = release('echo started; sleep 1; exit 4');
    let started!: () => void;
    const seen = new Promise<void>((resolve) => {
      started = resolve;
    });
    const running = phases.run(app, v2, (line) => line === 'started' && started());
    await seen;
    const follow = phases.follow(v2.id);
    if (follow.state !== 'running') throw new Error(`expected running, got ${follow.state}`);
    let rest = '';
    await new Promise<void>((resolve) => follow.listen((t) => (rest += t), resolve));
    expect(`${follow.text}${rest}`).toBe('started\nthe release command exited with status 4\n');
    expect((await running).ok).toBe(false);
  });

  it('an image that is gone: the release fails and says the command could not run', async () => {
    const { db, phases, app, release } = await setup();
    const v2 = release('true');
    const gone = { ...v2, image_id: 'sha256:0000000000000000000000000000000000000000000000000000000000000000' };
    const result = await phases.run(app, gone, () => {});
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/could not run/);
    expect(findRelease(db, app.id, 2)?.status).toBe('failed');
  });
});
