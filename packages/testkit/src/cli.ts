/** The real `paas` CLI as a child process: run to its end, or followed line by line. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CLI, cleanEnv } from './env.js';
import type { Platform } from './platform.js';
import { recordProcess } from './sweep.js';
import { eventually } from './wait.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  home: string;
  platform?: Pick<Platform, 'url' | 'token'>;
  env?: Record<string, string>;
  input?: string;
}

/** Starts the real `paas` CLI. With `platform`, PAAS_API_URL/PAAS_API_TOKEN point at it. */
function spawnCli(args: string[], options: CliOptions) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? options.home,
    env: {
      ...cleanEnv(),
      HOME: options.home,
      ...(options.platform ? { PAAS_API_URL: options.platform.url, PAAS_API_TOKEN: options.platform.token } : {}),
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  recordProcess(`paas ${args[0] ?? ''}`.trim(), child.pid);
  return child;
}

/** Runs the real `paas` CLI to its end. */
export function paas(args: string[], options: CliOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdin.end(options.input ?? '');
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** A long-running `paas` command (e.g. `logs --tail`): its output so far, and a way to stop it. */
export interface CliStream {
  /** Complete stdout lines so far, each with when it arrived (Date.now()). */
  lines(): { at: number; line: string }[];
  stderr(): string;
  /** Waits for a stdout line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Ends it (SIGTERM by default; SIGKILL for a client that dies) and waits for it. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Resolves with its exit code (null: killed by a signal) once it has ended. */
  exited(): Promise<number | null>;
}

export function paasStream(args: string[], options: CliOptions): CliStream {
  const child = spawnCli(args, options);
  child.stdin.end();
  const lines: { at: number; line: string }[] = [];
  let partial = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    const parts = (partial + c.toString()).split('\n');
    partial = parts.pop() ?? '';
    const at = Date.now();
    for (const line of parts) lines.push({ at, line });
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = once(child, 'close');
  return {
    lines: () => lines,
    stderr: () => stderr,
    waitFor: (pattern, timeoutMs = 30_000) =>
      eventually(
        async () => lines.find((l) => pattern.test(l.line))?.line,
        timeoutMs,
        `a line matching ${pattern} (stderr: ${stderr.slice(-300)})`,
      ),
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    exited: async () => (await exited)[0] as number | null,
  };
}
