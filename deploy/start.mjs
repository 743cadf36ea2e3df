// `pnpm start`: brings the store up to date, then runs the platform's processes (the api;
// from the agent issue on, a local agent too) in the foreground, passing signals on.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = [process.execPath, '--conditions=development', '--import', import.meta.resolve('tsx')];
const run = (file) => [...node.slice(1), file];

const migrate = spawnSync(node[0], run('apps/api/src/admin.ts').concat('migrate'), { cwd: root, stdio: 'inherit' });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const children = [spawn(node[0], run('apps/api/src/main.ts'), { cwd: root, stdio: 'inherit' })];
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
    // One process gone means the platform is down: stop the others too.
    for (const other of children) if (other !== child) other.kill('SIGTERM');
  });
}
