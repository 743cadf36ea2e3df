/**
 * `paas run` in a real terminal: tmux gives the CLI a pseudo terminal (send-keys types,
 * capture-pane reads the screen). An interactive shell in the one-off answers a command, sees
 * a window resize (`stty size`), and Ctrl-C interrupts a `sleep` in it; `exit 5` ends the
 * session and the CLI exits 5.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  appName,
  CLI,
  cleanEnv,
  eventually,
  git,
  HELLO_SERVER,
  loggedInHome,
  makeRepo,
  NODE_DOCKERFILE,
  paas,
  startPlatform,
} from '@paas/testkit';
import { expect, it } from 'vitest';

const exec = promisify(execFile);

it('runs an interactive shell in a terminal: commands, resize, Ctrl-C, exit status', async () => {
  const platform = await startPlatform();
  const socket = `paas-test-${process.pid}-${Date.now()}`;
  const tmux = (...args: string[]) => exec('tmux', ['-L', socket, ...args], { env: { ...cleanEnv(), HOME: home } });
  let home = '';
  try {
    await platform.startAgent();
    home = await loggedInHome(platform);
    const app = appName('tty');
    const repo = await makeRepo(home, { files: { Dockerfile: NODE_DOCKERFILE, 'server.js': HELLO_SERVER } });
    expect((await paas(['apps:create', app], { home, cwd: repo })).code).toBe(0);
    expect((await git(['push', 'paas', 'main'], { cwd: repo, home })).code).toBe(0);

    const screen = async () => (await tmux('capture-pane', '-p', '-t', 'run')).stdout;
    const waitScreen = (pattern: RegExp, what: string, ms = 30_000) =>
      eventually(async () => pattern.test(await screen()), ms, what).catch(async (err) => {
        throw new Error(`${(err as Error).message}; the screen:\n${await screen()}`);
      });
    const command = `${process.execPath} ${CLI} run -a ${app} -- sh; echo "paas-exit=$?"; sleep 60`;
    await tmux('new-session', '-d', '-s', 'run', '-x', '100', '-y', '30', command);

    // An interactive shell: its prompt, then an answer to a command.
    // (capture-pane drops the prompt's trailing space)
    await waitScreen(/up, run\.\d+[\s\S]*^[#$] ?$/m, 'the prompt');
    await tmux('send-keys', '-t', 'run', 'echo answer-$((6*7))', 'Enter');
    await waitScreen(/^answer-42/m, 'the answer');

    // The window size, and a resize.
    await tmux('send-keys', '-t', 'run', 'stty size', 'Enter');
    await waitScreen(/^30 100/m, 'the first size');
    await tmux('resize-window', '-t', 'run', '-x', '120', '-y', '40');
    // The resize travels (SIGWINCH → CLI → api → agent → docker resize) while we type: ask again until seen.
    await eventually(
      async () => {
        await tmux('send-keys', '-t', 'run', 'clear; stty size', 'Enter');
        await new Promise((r) => setTimeout(r, 300));
        return /^40 120$/m.test(await screen());
      },
      20_000,
      'the new size',
    );

    // Ctrl-C reaches the process: a long sleep is interrupted at once.
    await tmux('send-keys', '-t', 'run', 'clear; sleep 100', 'Enter');
    await new Promise((r) => setTimeout(r, 500));
    const interrupted = Date.now();
    await tmux('send-keys', '-t', 'run', 'C-c');
    await waitScreen(/^\^C\s*\n[#$] ?$/m, 'the prompt back after Ctrl-C', 20_000);
    expect(Date.now() - interrupted).toBeLessThan(20_000);
    await tmux('send-keys', '-t', 'run', 'echo after-interrupt', 'Enter');
    await waitScreen(/^after-interrupt$/m, 'the shell answering after Ctrl-C');

    // The shell's exit status is the CLI's.
    await tmux('send-keys', '-t', 'run', 'exit 5', 'Enter');
    await waitScreen(/paas-exit=5/, 'the CLI exit status');
  } finally {
    await tmux('kill-server').catch(() => {});
    await platform.removeContainers();
    await platform.stop();
  }
});
