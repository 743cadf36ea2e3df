// `pnpm start`: compiles what changed (`turbo run build`, cached: a no-op when dist/ is up to
// date), brings the store up to date with the compiled `paas-admin migrate`, then runs the
// platform in the foreground from the compiled JavaScript in each package's dist/ — the api
// and one local agent — passing signals on. If one exits, the other is stopped too. The local
// agent's credential is issued at each start (`paas-admin agents:add ID --replace`) into a
// 0600 file in its data dir: nothing to set up, and the previous run's credential stops working.
// Without the `development` export condition, workspace packages resolve to their dist/ too.
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
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
const env = { ...process.env, PAAS_DATA_DIR: dataDir };
const agentId = process.env.PAAS_AGENT_ID || os.hostname();
const agentDataDir = process.env.PAAS_AGENT_DATA_DIR || path.join(dataDir, 'agent');
const credentialFile = path.join(agentDataDir, 'credential');
const issued = spawnSync(
  node,
  [...js('apps/api/dist/admin.js'), 'agents:add', agentId, '--file', credentialFile, '--replace'],
  { cwd: root, env, stdio: ['ignore', 2, 'inherit'] },
);
if (issued.status !== 0) process.exit(issued.status ?? 1);
const agentEnv = {
  ...env,
  PAAS_API_URL: `http://127.0.0.1:${process.env.PORT || 5000}`,
  PAAS_AGENT_ID: agentId,
  PAAS_AGENT_DATA_DIR: agentDataDir,
  PAAS_AGENT_CREDENTIAL_FILE: credentialFile,
  PAAS_AGENT_CA_FILE: path.join(dataDir, 'tls', 'ca.crt'),
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
