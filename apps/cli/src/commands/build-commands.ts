/**
 * The build commands' registry entries (builds, builds:*, buildpacks, buildpacks:*), listed by commands/index.ts after
 * the log commands; each implementation is loaded only when it runs.
 */
import type { Command } from '../command.js';

export const buildCommands: Command[] = [
  {
    name: 'builds',
    description: "list an app's builds, newest first",
    needsApp: true,
    json: true,
    load: () => import('./builds/index.js'),
  },
  {
    name: 'builds:output',
    description: "print a build's output (the newest build by default)",
    usage: 'builds:output [BUILD_ID]',
    args: [0, 1],
    needsApp: true,
    load: () => import('./builds/output.js'),
  },
  {
    name: 'builds:cache:purge',
    description: "empty an app's build cache: the next push installs its dependencies again",
    usage: 'builds:cache:purge --confirm APP',
    examples: ['paas builds:cache:purge -a hello --confirm hello'],
    needsApp: true,
    flags: { confirm: { type: 'string', short: 'c' } },
    load: () => import('./builds/cache-purge.js'),
  },
  {
    name: 'buildpacks',
    description: 'show the builder an app is forced to (PAAS_BUILDER), if any',
    needsApp: true,
    json: true,
    load: () => import('./buildpacks/index.js'),
  },
  {
    name: 'buildpacks:set',
    description: 'force a builder instead of detecting one (sets PAAS_BUILDER: a new release)',
    usage: 'buildpacks:set NAME',
    examples: ['paas buildpacks:set heroku/nodejs', 'paas buildpacks:set static', 'paas buildpacks:set dockerfile'],
    args: [1, 1],
    needsApp: true,
    load: () => import('./buildpacks/set.js'),
  },
  {
    name: 'buildpacks:clear',
    description: 'detect the builder again on each push (unsets PAAS_BUILDER: a new release)',
    needsApp: true,
    load: () => import('./buildpacks/set.js'),
  },
];
