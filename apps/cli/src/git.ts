/** The app's git remote in the current repository. */
import { simpleGit } from 'simple-git';

export const DEFAULT_REMOTE = 'paas';

export async function insideRepo(dir = process.cwd()): Promise<boolean> {
  try {
    return await simpleGit(dir).checkIsRepo();
  } catch {
    return false;
  }
}

/** The app a remote points at: the last path segment of its URL, less ".git". */
export function appFromRemoteUrl(url: string): string | undefined {
  return /\/([a-z][a-z0-9-]*)\.git\/?$/.exec(url)?.[1];
}

export async function remoteUrl(remote: string, dir = process.cwd()): Promise<string | undefined> {
  if (!(await insideRepo(dir))) return undefined;
  const remotes = await simpleGit(dir).getRemotes(true);
  return remotes.find((r) => r.name === remote)?.refs.push;
}

export async function setRemote(remote: string, url: string, dir = process.cwd()): Promise<void> {
  const git = simpleGit(dir);
  const remotes = await git.getRemotes();
  if (remotes.some((r) => r.name === remote)) await git.remote(['set-url', remote, url]);
  else await git.addRemote(remote, url);
}

export async function removeRemote(remote: string, dir = process.cwd()): Promise<void> {
  await simpleGit(dir).removeRemote(remote);
}
