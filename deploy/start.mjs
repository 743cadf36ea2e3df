// `pnpm start`: brings the store up to date, then runs the platform in the foreground — the
// api and one local agent — passing signals on. If one exits, the other is stopped too.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = process.execPath;
const ts = (file) => ['--conditions=development', '--import', import.meta.resolve('tsx'), path.join(root, file)];

const migrate = spawnSync(node, [...ts('apps/api/src/admin.ts'), 'migrate'], { cwd: root, stdio: 'inherit' });
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
  spawn(node, ts('apps/api/src/main.ts'), { cwd: root, env, stdio: 'inherit' }),
  spawn(node, ts('apps/agent/src/main.ts'), { cwd: root, env: agentEnv, stdio: 'inherit' }),
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
