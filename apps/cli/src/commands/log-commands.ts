/**
 * The log and drain commands' registry entries (logs, drains, drains:*), listed by
 * commands/index.ts after domains:*; each implementation is loaded only when it runs.
 */
import type { Command } from '../command.js';

export const logCommands: Command[] = [
  {
    name: 'logs',
    description: "show an app's log: what its processes print, what the platform did, each request served",
    usage: 'logs [-n N] [-t] [-p web|web.1] [-s app|paas] [--json]',
    examples: ['paas logs --tail', 'paas logs -n 500 -p web', 'paas logs -s paas'],
    flags: {
      num: { type: 'string', short: 'n' },
      tail: { type: 'boolean', short: 't' },
      ps: { type: 'string', short: 'p' },
      dyno: { type: 'string', short: 'd' },
      source: { type: 'string', short: 's' },
    },
    needsApp: true,
    json: true,
    load: () => import('./logs.js'),
  },
  {
    name: 'drains',
    description: "list the app's log drains: where its log lines are also sent",
    needsApp: true,
    json: true,
    load: () => import('./drains/index.js'),
  },
  {
    name: 'drains:add',
    description: "send the app's log lines to a URL too (https://, http:// or syslog+tcp://)",
    usage: 'drains:add URL',
    examples: ['paas drains:add https://logs.example.com/paas', 'paas drains:add syslog+tcp://logs.example.com:514'],
    args: [1, 1],
    needsApp: true,
    json: true,
    load: () => import('./drains/add.js'),
  },
  {
    name: 'drains:remove',
    description: "stop sending the app's log lines to a drain (by URL or id)",
    usage: 'drains:remove URL',
    args: [1, 1],
    needsApp: true,
    load: () => import('./drains/remove.js'),
  },
];
