/**
 * The release phase from the CLI's side: a release's output URL streamed (it needs no token
 * of ours: the URL carries its own), the wait for a release command in progress announced,
 * and a change's release followed to its end.
 */
import type { Release } from '@paas/shared';
import { appPath } from './api.js';
import type { Context } from './command.js';
import { CliError } from './errors.js';

/**
 * Streams a release output URL to `write` until the command ends. 'not-started': the api
 * answered 404 (the command has not started yet).
 */
export async function streamReleaseOutput(url: string, write: (text: string) => void): Promise<'done' | 'not-started'> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'text/plain' } });
  } catch (err) {
    throw new CliError(`Cannot reach ${url}: ${(err as { cause?: { code?: string } }).cause?.code ?? err}`);
  }
  if (response.status === 404) return 'not-started';
  if (!response.ok || !response.body) {
    const text = await response.text();
    let message = `${response.status} ${response.statusText}`;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {}
    throw new CliError(message);
  }
  const decoder = new TextDecoder();
  for await (const chunk of response.body) write(decoder.decode(chunk, { stream: true }));
  const rest = decoder.decode();
  if (rest) write(rest);
  return 'done';
}

/** Says so if the app's newest release is still running its release command (a change now waits for it). */
export async function noticeReleaseInProgress(ctx: Context, app: string): Promise<void> {
  const [newest] = await ctx.api.get<Release[]>(appPath(app, '/releases'));
  if (newest?.status === 'pending') {
    ctx.err(`Waiting for v${newest.version}'s release command to finish (paas releases:output v${newest.version})...`);
  }
}

/**
 * After a change made `release`: if it runs a release command, shows its output (on stderr:
 * it is progress here) as it comes, then fails unless the release succeeded.
 */
export async function followRelease(ctx: Context, app: string, release: Release): Promise<Release> {
  if (release.status !== 'pending' || !release.output_stream_url) return release;
  ctx.err(`Running release command of v${release.version}...`);
  const path = appPath(app, `/releases/${release.version}`);
  let state = await streamReleaseOutput(release.output_stream_url, (t) => ctx.io.stderr(t));
  let latest = await ctx.api.get<Release>(path);
  for (let tries = 0; latest.status === 'pending' && tries < 50; tries++) {
    // Not started yet when asked: ask again (a fresh URL each time) until it ends.
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (state === 'not-started' && latest.output_stream_url) {
      state = await streamReleaseOutput(latest.output_stream_url, (t) => ctx.io.stderr(t));
    }
    latest = await ctx.api.get<Release>(path);
  }
  if (latest.status === 'failed') {
    throw new CliError(
      `Release v${latest.version} failed: its release command did not succeed, so it was not rolled out ` +
        `(its output: paas releases:output v${latest.version}).`,
    );
  }
  if (latest.status === 'pending') {
    throw new CliError(
      `v${latest.version}'s release command is still running: paas releases:output v${latest.version}`,
    );
  }
  ctx.err(`Release command of v${latest.version} succeeded; v${latest.version} is rolling out.`);
  return latest;
}
