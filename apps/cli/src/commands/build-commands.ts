/**
 * The build commands' registry entries (builds, builds:*), listed by commands/index.ts after
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
];
