/**
 * The git smart-HTTP endpoints under bad input and hang-ups, against the real api process and
 * real git: junk bodies, bodies that are not a pack stream, and a pusher that hangs up while
 * its push waits behind another build. After each, the api still answers and pushes still work.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  appName,
  cleanEnv,
  commitAll,
  git,
  HELLO_SERVER,
  makeRepo,
  NODE_DOCKERFILE,
  paas,
  usePlatform,
} from '@paas/testkit';
import { describe, expect, it } from 'vitest';

const SERVICES = ['git-upload-pack', 'git-receive-pack'] as const;

const t = usePlatform({ agent: false });

const basic = () => `Basic ${Buffer.from(`git:${t.platform.token}`).toString('base64')}`;

/** POSTs `body` to the api; resolves with the status, or 'closed' if the connection went away first. */
function post(
  urlPath: string,
  body: Buffer | string,
  headers: Record<string, string>,
): Promise<{ status: number | 'closed'; text: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer to POST ${urlPath} within 15 s`));
    }, 15_000);
    const done = (result: { status: number | 'closed'; text: string }) => {
      clearTimeout(timer);
      resolve(result);
    };
    const req = http.request(
      { host: '127.0.0.1', port: t.platform.port, path: urlPath, method: 'POST', headers, agent: false },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, text }));
        res.on('error', () => done({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', () => done({ status: 'closed', text: '' }));
    req.end(body);
  });
}

/** The api's answer to /healthz (and proof that its process is still there). */
async function healthz(): Promise<number> {
  expect(t.platform.process.exitCode).toBeNull();
  expect(t.platform.process.signalCode).toBeNull();
  return (await fetch(`${t.platform.url}/healthz`)).status;
}

/** git children the api runs for one repository (pgrep -f on the repository path). */
async function gitChildrenOf(repoPath: string): Promise<string[]> {
  try {
    const { stdout } = await promisify(execFile)('pgrep', ['-a', '-f', `-pack --stateless-rpc.*${repoPath}`]);
    return stdout.split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Creates an app from a small Node app repository; returns its name, repository and git path on the api. */
async function createApp(prefix: string, extra: Record<string, string> = {}) {
  const app = appName(prefix);
  const repo = await makeRepo(t.home, { files: { Dockerfile: NODE_DOCKERFILE, 'server.js': HELLO_SERVER, ...extra } });
  const created = await paas(['apps:create', app], { home: t.home, cwd: repo });
  expect(created.code, created.stderr).toBe(0);
  const info = await t.platform.api<{ id: string }>('GET', `/apps/${app}`);
  return { app, repo, repoPath: path.join(t.platform.dataDir, 'repos', `${info.body.id}.git`) };
}

/** A git command left running: its output so far, a way to wait for a line, and its end. */
function startGit(args: string[], cwd: string) {
  const child = spawn('git', args, {
    cwd,
    env: { ...cleanEnv(), HOME: t.home, GIT_TERMINAL_PROMPT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that a hang-up kills git-remote-http too, as Ctrl-C would.
    detached: true,
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (c: Buffer) => {
    output += c.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const kill = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {} // already gone
  };
  return {
    child,
    kill,
    output: () => output,
    exited,
    /** Waits for `text` in the output; rejects if git ends first or after `timeoutMs`. */
    waitFor(text: string, timeoutMs = 30_000): Promise<void> {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!output.includes(text)) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no "${text}" within ${timeoutMs} ms; output:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then(() => {
          if (!output.includes(text)) {
            clearTimeout(timer);
            reject(new Error(`git ended without "${text}"; output:\n${output}`));
          }
        });
        check();
      });
    },
    /** Resolves with the exit code, or kills git and rejects after `timeoutMs`. */
    async finish(timeoutMs: number): Promise<number | null> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          kill();
          reject(new Error(`git ${args.join(' ')} did not finish within ${timeoutMs} ms; output:\n${output}`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

describe('git smart HTTP under faults', () => {
  it('answers junk bodies (plain and gzip) on both services and keeps serving pushes', async () => {
    const { app, repo, repoPath } = await createApp('junk');
    const junk = randomBytes(1024 * 1024);
    const answers: string[] = [];
    for (const service of SERVICES) {
      for (const encoding of [undefined, 'gzip']) {
        const { status } = await post(`/${app}.git/${service}`, junk, {
          authorization: basic(),
          'content-type': `application/x-${service}-request`,
          ...(encoding ? { 'content-encoding': encoding } : {}),
        });
        answers.push(`${service} ${encoding ?? 'plain'}: ${status}`);
        expect(await healthz(), answers.join(', ')).toBe(200);
      }
    }
    expect(answers).toHaveLength(4);
    expect(t.platform.logs()).not.toContain('stopping after an error');
    // No git left behind by the junk.
    expect(await gitChildrenOf(repoPath)).toEqual([]);

    const push = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toContain('Released v1');
    expect(await healthz()).toBe(200);
  }, 60_000);

  it('refuses a body that is not a pack stream with 415, before starting git', async () => {
    const { app, repoPath } = await createApp('nonstream');
    for (const service of SERVICES) {
      const json = await post(`/${app}.git/${service}`, JSON.stringify({ hello: 'git' }), {
        authorization: basic(),
        'content-type': 'application/json',
      });
      expect(json.status).toBe(415);
      expect(json.text).toContain(`application/x-${service}-request`);

      const untyped = await post(`/${app}.git/${service}`, '0000', { authorization: basic() });
      expect(untyped.status).toBe(415);

      const encoded = await post(`/${app}.git/${service}`, '0000', {
        authorization: basic(),
        'content-type': `application/x-${service}-request`,
        'content-encoding': 'br',
      });
      expect(encoded.status).toBe(415);
      expect(encoded.text).toContain('content-encoding');
    }
    // Nothing was spawned, so nothing waits on a stdin that never comes.
    expect(await gitChildrenOf(repoPath)).toEqual([]);
    expect(await healthz()).toBe(200);
    // The repository still serves: ls-remote goes through info/refs.
    const lsRemote = await git(['ls-remote', `${t.platform.url}/${app}.git`], { cwd: t.home, home: t.home });
    expect(lsRemote.code, lsRemote.stderr).toBe(0);
  }, 60_000);

  it('lets the next push through after a queued pusher hangs up', async () => {
    const nonce = Math.random().toString(36).slice(2);
    const { app, repo } = await createApp('hangup', {
      Dockerfile: `${NODE_DOCKERFILE}RUN echo "slow ${nonce}" && sleep 6\n`,
    });
    // B: another clone with its own commit, pushed while A builds.
    const other = `${repo}-other`;
    fs.cpSync(repo, other, { recursive: true });
    fs.writeFileSync(path.join(other, 'b.txt'), 'b\n');
    await commitAll(other, t.home, 'b');

    const a = startGit(['push', 'paas', 'main'], repo);
    await a.waitFor(`slow ${nonce}`);
    const b = startGit(['push', 'paas', 'main'], other);
    await b.waitFor(`Another change to ${app} is in progress (a build or a release command); waiting`);
    b.kill();
    await b.exited;

    expect(await a.finish(40_000), a.output()).toBe(0);
    expect(a.output()).toContain('Released v1');

    // C: a commit on top of A's. It must not wait behind B's abandoned turn.
    fs.writeFileSync(path.join(repo, 'c.txt'), 'c\n');
    await commitAll(repo, t.home, 'c');
    const c = startGit(['push', 'paas', 'main'], repo);
    expect(await c.finish(20_000), c.output()).toBe(0);
    expect(c.output()).not.toContain('waiting for it to finish');
    expect(c.output()).toContain('Released v2');
    expect(await healthz()).toBe(200);
  }, 60_000);
});
