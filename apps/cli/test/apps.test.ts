/** App management through the real CLI: names, info, git remotes, config:get, destroy. */
import type { App } from '@paas/shared';
import { git, loggedInHome, makeRepo, paas, startPlatform } from '@paas/testkit';
import { expect, it } from 'vitest';

it('creates, shows, remotes and destroys apps', async () => {
  const platform = await startPlatform();
  const home = await loggedInHome(platform);
  const repo = await makeRepo(home, { files: { 'README.md': 'x' } });
  const cli = (args: string[], cwd = repo) => paas(args, { home, cwd });

  // No name: the server picks one, and the remote points at it.
  const created = await cli(['apps:create', '--json']);
  expect(created.code, created.stderr).toBe(0);
  const app = JSON.parse(created.stdout) as App;
  expect(app.name).toMatch(/^[a-z]+-[a-z]+-\d{5}$/);
  expect((await git(['remote', 'get-url', 'paas'], { cwd: repo, home })).stdout.trim()).toBe(app.git_url);

  const info = await cli(['apps:info']);
  expect(info.stdout).toContain(`=== ${app.name}`);
  expect(info.stdout).toMatch(/Git URL: +http:\/\/127\.0\.0\.1:\d+\/.*\.git/);
  expect(info.stdout).toContain('Current Release: none');

  expect((await cli(['config:set', 'MESSAGE=a b=c'])).code).toBe(0);
  expect((await cli(['config:get', 'MESSAGE'])).stdout).toBe('a b=c\n');
  expect((await cli(['config:get', 'MISSING'])).stdout).toBe('\n');
  expect((await cli(['config', '--shell'])).stdout).toBe("MESSAGE='a b=c'\n");

  // git:remote points a fresh clone's remote at an existing app.
  const other = await makeRepo(home, { files: { 'x.txt': 'y' } });
  const remote = await paas(['git:remote', '-a', app.name], { home, cwd: other });
  expect(remote.stdout).toContain(`set git remote paas to ${app.git_url}`);
  expect((await paas(['config:get', 'MESSAGE'], { home, cwd: other })).stdout).toBe('a b=c\n');

  const unconfirmed = await cli(['apps:destroy']);
  expect(unconfirmed.code).toBe(1);
  expect(unconfirmed.stderr).toContain(`paas apps:destroy -a ${app.name} --confirm ${app.name}`);
  expect((await cli(['apps'])).stdout).toContain(app.name);

  const destroyed = await cli(['apps:destroy', '--confirm', app.name]);
  expect(destroyed.code, destroyed.stderr).toBe(0);
  expect(destroyed.stderr).toContain(`Destroying ⬢ ${app.name}... done`);
  expect((await cli(['apps'])).stdout).not.toContain(app.name);
  expect((await git(['remote'], { cwd: repo, home })).stdout).not.toContain('paas');

  const noApp = await cli(['releases']);
  expect(noApp.code).toBe(1);
  expect(noApp.stderr).toContain('No app specified');
  const unknownFlag = await cli(['apps', '--bogus']);
  expect(unknownFlag.code).toBe(1);
  expect(unknownFlag.stderr).toContain("Unknown option '--bogus'");
  expect(await platform.stop()).toBe(0);
});
