// `pnpm start`: compiles what changed (`turbo run build`, cached: a no-op when dist/ is up to
// date), brings the store up to date with the compiled `paas-admin migrate`, then runs the
// platform in the foreground from the compiled JavaScript in each package's dist/ — the api
// and one local agent — passing signals on. If one exits, the other is stopped too.
// Without the `development` export condition, workspace packages resolve to their dist/ too.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = process.execPath;
const js = (file) => [path.join(root, file)];

// Build output goes to stderr: stdout carries only the platform's JSON log lines.
const build = spawnSync(path.join(root, 'node_modules/.bin/turbo'), ['run', 'build', '--output-logs=errors-only'], {
  cwd: root,
  stdio: ['ignore', 2, 2],
});
if (build.status !== 0) {
  process.stderr.write(`pnpm start: the build failed${build.error ? ` (${build.error.message})` : ''}\n`);
  process.exit(build.status || 1);
}

const migrate = spawnSync(node, [...js('apps/api/dist/admin.js'), 'migrate'], { cwd: root, stdio: 'inherit' });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const dataDir = path.resolve(root, process.env.PAAS_DATA_DIR || '.paas');
const env = {
  ...process.env,
  PAAS_DATA_DIR: dataDir,
  // The local agent and the api share a token made for this run, unless one is configured.
  PAAS_AGENT_TOKEN: process.env.PAAS_AGENT_TOKEN || randomBytes(24).toString('base64url'),
};
const agentEnv = {
  ...env,
  PAAS_API_URL: `http://127.0.0.1:${process.env.PORT || 5000}`,
  PAAS_AGENT_DATA_DIR: process.env.PAAS_AGENT_DATA_DIR || path.join(dataDir, 'agent'),
};

const children = [
  spawn(node, js('apps/api/dist/main.js'), { cwd: root, env, stdio: 'inherit' }),
  spawn(node, js('apps/agent/dist/main.js'), { cwd: root, env: agentEnv, stdio: 'inherit' }),
];
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
  });
}
let exitCode = 0;
let running = children.length;
for (const child of children) {
  child.on('exit', (code, signal) => {
    if (code !== 0) exitCode = code ?? (signal ? 1 : 0);
    running -= 1;
    if (running === 0) process.exit(exitCode);
    for (const other of children) if (other !== child && other.exitCode === null) other.kill('SIGTERM');
  });
}
