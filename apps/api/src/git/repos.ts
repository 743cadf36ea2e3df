/**
 * The platform's bare git repositories, one per app (by app id, so that a destroyed app's
 * history never leaks into a new app of the same name). Plain git operations go through
 * simple-git; the two that must stream (the smart-HTTP services and `git archive`) spawn git
 * with argument arrays.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleGit } from 'simple-git';
import { childEnv, minimalEnv } from '../config.js';

/** The pre-receive hook every push runs (see hooks/pre-receive). */
export const HOOKS_DIR = fileURLToPath(new URL('../../hooks/', import.meta.url));

export type GitService = 'git-receive-pack' | 'git-upload-pack';

/** Where git keeps a push's objects until its pre-receive hook accepts them. */
export interface QuarantineEnv {
  GIT_OBJECT_DIRECTORY?: string;
  GIT_ALTERNATE_OBJECT_DIRECTORIES?: string;
  GIT_QUARANTINE_PATH?: string;
}

export const ZERO_SHA = '0000000000000000000000000000000000000000';

export class GitRepos {
  constructor(private readonly root: string) {}

  path(appId: string): string {
    return path.join(this.root, `${appId}.git`);
  }

  async ensure(appId: string): Promise<string> {
    const repo = this.path(appId);
    await fs.mkdir(repo, { recursive: true });
    const git = simpleGit(repo);
    await git.init(true);
    await git.raw(['symbolic-ref', 'HEAD', 'refs/heads/main']);
    return repo;
  }

  async remove(appId: string): Promise<void> {
    await fs.rm(this.path(appId), { recursive: true, force: true });
  }

  /** The commit a ref points at, or null if the ref does not exist. */
  async revParse(repo: string, ref: string): Promise<string | null> {
    try {
      return (await simpleGit(repo).raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim() || null;
    } catch {
      return null;
    }
  }

  /** A file of a commit, or null if the commit has no such file. */
  async readFile(repo: string, commit: string, file: string, env: QuarantineEnv = {}): Promise<string | null> {
    // Only what git needs: simple-git refuses environments that carry EDITOR and the like.
    const git = simpleGit(repo).env(minimalEnv({ ...env }));
    try {
      const type = (await git.raw(['cat-file', '-t', `${commit}:${file}`])).trim();
      if (type !== 'blob') return null;
      return await git.raw(['cat-file', 'blob', `${commit}:${file}`]);
    } catch {
      return null;
    }
  }

  /**
   * Which of `paths` the commit has, each a 'blob' or a 'tree' (one `git ls-tree`; paths may
   * be nested, like public/index.html).
   */
  async listPaths(
    repo: string,
    commit: string,
    paths: readonly string[],
    env: QuarantineEnv = {},
  ): Promise<Map<string, 'blob' | 'tree'>> {
    const git = simpleGit(repo).env(minimalEnv({ ...env }));
    const found = new Map<string, 'blob' | 'tree'>();
    const text = await git.raw(['ls-tree', '-z', commit, '--', ...paths]);
    for (const entry of text.split('\0')) {
      const m = entry.match(/^\d+ (blob|tree) [0-9a-f]+\t(.+)$/s);
      if (m?.[1] && m[2]) found.set(m[2], m[1] as 'blob' | 'tree');
    }
    return found;
  }

  /**
   * `git archive` of a commit's tree, as a tar stream (no working copy involved), plus
   * `extra` files (path → text) that are not in the commit (a generated Dockerfile).
   */
  archive(repo: string, commit: string, env: QuarantineEnv = {}, extra: Record<string, string> = {}): ChildProcess {
    const virtual = Object.entries(extra).map(([file, text]) => `--add-virtual-file=${file}:${text}`);
    return spawn('git', ['archive', '--format=tar', ...virtual, commit], {
      cwd: repo,
      env: childEnv({ ...env, GIT_DIR: repo }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** A smart-HTTP service (receive-pack or upload-pack) in stateless-RPC mode. */
  service(
    service: GitService,
    repo: string,
    options: { advertise: boolean; env?: Record<string, string> },
  ): ChildProcess {
    const args = ['-c', `core.hooksPath=${HOOKS_DIR}`, service.replace(/^git-/, ''), '--stateless-rpc'];
    if (options.advertise) args.push('--advertise-refs');
    args.push(repo);
    return spawn('git', args, { env: childEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
  }
}
