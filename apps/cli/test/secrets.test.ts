/**
 * Secrets stay secret: a real platform (api and agent) deploys an app, takes config vars, log
 * sessions (their token in the URL) and a release command's output URL; then every log the
 * test produced (the api's, the agent's, the push and the build output) is searched for every
 * secret value it set or was given: the API token, the agent's credential, the config vars,
 * the log session and release output tokens. None may appear. The files that hold them are
 * the user's own (0600 in 0700 directories).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Release } from '@paas/shared';
import { deployRouted, eventually, HELLO_SERVER, loggedInHome, startPlatform } from '@paas/testkit';
import { expect, it } from 'vitest';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

it('writes no token and no config var value in any log', async () => {
  const platform = await startPlatform();
  const agent = await platform.startAgent('agent-1');
  try {
    // The release command needs an agent to run on.
    await eventually(async () => platform.logs().includes('"msg":"agent connected"'), 30_000, 'agent-1 connected');
    const home = await loggedInHome(platform);
    const secrets = new Map<string, string>([['API token', platform.token]]);
    const credential = fs.readFileSync(path.join(platform.dataDir, 'agents', 'agent-1.credential'), 'utf8').trim();
    secrets.set('agent credential secret', credential.split(':')[1] ?? '');

    const { app, cli, repo } = await deployRouted(home, agent, 'secret', {
      'server.js': HELLO_SERVER,
      Procfile: 'web: node server.js\nrelease: echo release phase ran\n',
    });
    const vars = { DATABASE_PASSWORD: `pw-${Math.random().toString(36).slice(2)}`, API_KEY: `key-${Date.now()}` };
    for (const [k, v] of Object.entries(vars)) {
      secrets.set(k, v);
      expect((await cli('config:set', `${k}=${v}`)).code).toBe(0);
    }

    // A log session opened by its secret URL (twice: the second is refused, and not logged either).
    const session = await platform.api<{ logplex_url: string }>('POST', `/apps/${app}/log-sessions`, { lines: 5 });
    const sessionToken = session.body.logplex_url.split('/').at(-1) ?? '';
    secrets.set('log session token', sessionToken);
    expect((await fetch(session.body.logplex_url)).status).toBe(200);
    expect((await fetch(session.body.logplex_url)).status).toBe(404);

    // The release command's output URL (its token in the path).
    const releases = await platform.api<Release[]>('GET', `/apps/${app}/releases`);
    const withOutput = releases.body.find((r) => r.output_stream_url);
    expect(withOutput?.output_stream_url).toBeTruthy();
    const outputUrl = withOutput?.output_stream_url ?? '';
    secrets.set('release output token', outputUrl.split('/').at(-1) ?? '');
    expect((await fetch(outputUrl)).status).toBe(200);

    // The agent ran the new config (so it had the values), and every log line is in.
    await eventually(async () => (await cli('ps')).stdout.includes('web.1'), 30_000, 'web.1 listed');
    const build = await cli('builds:output');
    const appLog = await cli('logs', '-n', '1500');
    const logs = {
      api: platform.logs(),
      agent: agent.logs(),
      'build output': build.stdout,
      'app log': appLog.stdout,
    };
    expect(logs.api).toContain('/log-sessions/[redacted]');
    expect(logs.api).toContain('/release-output/[redacted]');
    for (const [where, text] of Object.entries(logs)) {
      for (const [what, value] of secrets) {
        expect(value.length, what).toBeGreaterThan(8);
        expect(text.includes(value), `${what} in the ${where} log`).toBe(false);
      }
    }

    // The files that hold them are the platform's own.
    expect(mode(platform.dataDir)).toBe(0o700);
    expect(mode(path.join(platform.dataDir, 'paas.db'))).toBe(0o600);
    const agentDir = path.join(platform.dataDir, 'agents', 'agent-1');
    expect(mode(agentDir)).toBe(0o700);
    expect(mode(path.join(agentDir, 'state.json'))).toBe(0o600);
    expect(mode(path.join(platform.dataDir, 'agents', 'agent-1.credential'))).toBe(0o600);
    expect(fs.readFileSync(path.join(agentDir, 'state.json'), 'utf8')).toContain(vars.API_KEY); // the one place it is
    expect(repo).toBeTruthy();
  } finally {
    await platform.removeContainers();
    await platform.stop();
  }
}, 240_000);
