/** Real git repositories, committed and pushed over HTTP with the test's HOME. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { CliResult } from './cli.js';
import { cleanEnv, ROOT } from './env.js';
import { recordProcess } from './sweep.js';

export interface GitResult extends CliResult {
  /** Milliseconds from the start of the command to each stderr line's arrival. */
  lineTimes: { ms: number; line: string }[];
}

/** Runs git in `cwd` with HOME=`home` (so ~/.netrc from `paas login` applies), no prompts. */
export function git(
  args: string[],
  options: { cwd: string; home: string; env?: Record<string, string> },
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: {
        ...cleanEnv(),
        HOME: options.home,
        GIT_TERMINAL_PROMPT: '0',
        GIT_AUTHOR_NAME: 'Test',
        GIT_AUTHOR_EMAIL: 'test@example.com',
        GIT_COMMITTER_NAME: 'Test',
        GIT_COMMITTER_EMAIL: 'test@example.com',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    recordProcess(`git ${args[0] ?? ''}`.trim(), child.pid);
    let stdout = '';
    let stderr = '';
    let partial = '';
    const lineTimes: { ms: number; line: string }[] = [];
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      const text = c.toString();
      stderr += text;
      const lines = (partial + text).split(/\r?\n|\r/);
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) lineTimes.push({ ms: Date.now() - started, line: line.trimEnd() });
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr, lineTimes }));
  });
}

/** A fresh git repository holding a copy of `examples/<name>` (or the given files), committed. */
export async function makeRepo(
  home: string,
  source: { example?: string; files?: Record<string, string> },
): Promise<string> {
  const dir = fs.mkdtempSync(path.join(home, 'repo-'));
  if (source.example) fs.cpSync(path.join(ROOT, 'examples', source.example), dir, { recursive: true });
  for (const [file, text] of Object.entries(source.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  await git(['init', '-q', '-b', 'main'], { cwd: dir, home });
  await commitAll(dir, home, 'initial commit');
  return dir;
}

export async function commitAll(dir: string, home: string, message: string): Promise<void> {
  const add = await git(['add', '-A'], { cwd: dir, home });
  if (add.code !== 0) throw new Error(add.stderr);
  const commit = await git(['commit', '-q', '--allow-empty', '-m', message], { cwd: dir, home });
  if (commit.code !== 0) throw new Error(commit.stderr);
}
