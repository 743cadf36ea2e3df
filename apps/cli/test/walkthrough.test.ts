/**
 * The README's walkthrough, run as written (the shell block between the walkthrough
 * markers), against a running platform. Only the api URL is swapped for this test's api.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cleanEnv, ROOT, startPlatform, tempDir } from '@paas/testkit';
import { expect, it, onTestFinished } from 'vitest';

function walkthrough(name = 'walkthrough'): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = new RegExp(`<!-- ${name}:start -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\`\\n<!-- ${name}:end -->`).exec(
    readme,
  );
  if (!block?.[1]) throw new Error(`README.md has no ${name} block`);
  return block[1];
}

/** Runs a README block as a user would (bash -euo pipefail, from the repository root). */
function runScript(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.on('close', (code) => resolve({ code, output }));
  });
}

it('the README walkthrough works as written', async () => {
  const platform = await startPlatform();
  onTestFinished(async () => {
    await platform.removeContainers(); // also when an assertion fails
    await platform.stop();
  });
  const home = tempDir('paas-walkthrough-');
  const agent = await platform.startAgent('agent-1');
  const script = walkthrough()
    .replaceAll('http://127.0.0.1:5000', platform.url)
    .replaceAll('http://127.0.0.1:8080', `http://127.0.0.1:${agent.routerPort}`);
  const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: ROOT,
      env: {
        ...cleanEnv(),
        HOME: home,
        PAAS_API_TOKEN: platform.token,
        GIT_AUTHOR_NAME: 'Walker',
        GIT_AUTHOR_EMAIL: 'walker@example.com',
        GIT_COMMITTER_NAME: 'Walker',
        GIT_COMMITTER_EMAIL: 'walker@example.com',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.on('close', (code) => resolve({ code, output }));
  });
  expect(result.code, result.output).toBe(0);
  expect(result.output).toContain('Creating ⬢ hello... done');
  expect(result.output).toMatch(/remote: -----> Released v1/);
  expect(result.output).toContain('Setting GREETING and restarting ⬢ hello... done, v2');
  expect(result.output).toContain('GREETING: hi');
  expect(result.output).toMatch(/hello from web\.\d \(v1\)/);
  expect(result.output).toContain('Rolling back ⬢ hello to v1... done, v3');
  expect(result.output).toMatch(/=== hello Releases - Current: v3\nv3 +Rollback to v1/);
  expect(result.output).toMatch(/-----> Released v1\n\s+http:\/\/hello\.localhost:8080\/ deployed to paas/);
  expect(result.output).toContain('done, now running web at 2:Basic, worker at 1:Basic');
  expect(result.output).toMatch(/=== web \(Basic\): node server\.js \(\d\)/);
  expect(result.output).toMatch(/\+00:00 paas\[api\]: Release v3 created by user \S+: Rollback to v1\n/);
  expect(result.output).toMatch(/\+00:00 paas\[router\]: at=info method=GET path="\/" host=hello\.localhost/);
  expect(result.output).toMatch(/\+00:00 app\[worker\.1\]: worker tick \d+\n/);
  await platform.removeContainers();
  expect(await platform.stop()).toBe(0);
});

it('the README walkthrough with a database works as written', async () => {
  const platform = await startPlatform();
  const agent = await platform.startAgent('agent-1');
  onTestFinished(async () => {
    await agent.stop();
    await platform.removeContainers();
    await platform.stop();
  });
  const home = tempDir('paas-walkthrough-db-');
  const login = walkthrough().split('\n').slice(0, 2).join('\n'); // PATH and paas login
  const script = `${login}\n${walkthrough('walkthrough-db')}`
    .replaceAll('http://127.0.0.1:5000', platform.url)
    .replaceAll('http://127.0.0.1:8080', `http://127.0.0.1:${agent.routerPort}`);
  const result = await runScript(script, {
    ...cleanEnv(),
    HOME: home,
    PAAS_API_TOKEN: platform.token,
    GIT_AUTHOR_NAME: 'Walker',
    GIT_AUTHOR_EMAIL: 'walker@example.com',
    GIT_COMMITTER_NAME: 'Walker',
    GIT_COMMITTER_EMAIL: 'walker@example.com',
  });
  expect(result.code, result.output).toBe(0);
  expect(result.output).toMatch(/Created postgresql-[a-z]+-\d+ as DATABASE_URL/);
  expect(result.output).toMatch(/Created redis-[a-z]+-\d+ as REDIS_URL/);
  expect(result.output).toMatch(/DATABASE_URL: +postgres:\/\//);
  expect(result.output).toContain('migrations applied');
  expect(result.output).toContain('{"id":1}');
  expect(result.output).toMatch(/"notes":1,"jobs":\d+,"jobs_done":\d+,"redis_jobs":\d+/);
  expect(result.output).toMatch(/heroku-postgresql:essential-0\s+provisioned\s+DATABASE/);
  expect(result.output).toMatch(/b001\s+\S+\s+Completed/);
  expect(fs.statSync(path.join(home, 'notes', 'notes.dump')).size).toBeGreaterThan(0);
  expect(result.output).toMatch(/v2\s+Attach REDIS resource/);
});
