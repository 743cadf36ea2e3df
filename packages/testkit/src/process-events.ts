/**
 * Docker's events of one of an app's processes (`crasher.1`), under either runtime. The agents
 * label each container with its process (`paas.process`); Swarm cannot template a container's
 * labels, so a task container carries its type (`paas.type`) and its slot in Swarm's task name
 * (`com.docker.swarm.task.name`: `<service>.<slot>.<task id>`). Both carry the platform and app.
 */
import { spawn } from 'node:child_process';
import type { Platform } from './platform.js';

/** The process a container's labels (or an event's attributes) name: `web.1`, or null. */
export function processOfLabels(labels: Record<string, string | undefined>): string | null {
  if (labels['paas.process']) return labels['paas.process'];
  const slot = labels['com.docker.swarm.task.name']?.split('.').at(-2);
  return labels['paas.type'] && slot ? `${labels['paas.type']}.${slot}` : null;
}

export interface ProcessEvents {
  /** The events seen so far: Docker's action, its time (ms since the epoch) and the container's id. */
  events(): { action: string; ms: number; id: string }[];
  stop(): void;
}

/**
 * Watches `docker events` live (`--since` replays only Docker's small in-memory buffer, which a
 * busy engine overwrites in seconds) for these actions of one process of an app. Resolves once
 * subscribed, before anything the test does next.
 */
export async function watchProcessEvents(
  platform: Platform,
  app: string,
  process: string,
  actions: string[],
): Promise<ProcessEvents> {
  const attr = (k: string) => `{{index .Actor.Attributes "${k}"}}`;
  const format = `{{.Action}}|{{.TimeNano}}|${attr('paas.process')}|${attr('paas.type')}|${attr('com.docker.swarm.task.name')}|{{.Actor.ID}}`;
  const watcher = spawn(
    'docker',
    [
      'events',
      '--filter',
      'type=container',
      '--filter',
      `label=paas.platform=${platform.platformId}`,
      '--filter',
      `label=paas.app=${app}`,
      ...actions.flatMap((a) => ['--filter', `event=${a}`]),
      '--format',
      format,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let watched = '';
  watcher.stdout.on('data', (chunk: Buffer) => {
    watched += chunk.toString();
  });
  await new Promise((r) => setTimeout(r, 500)); // subscribed before anything happens
  return {
    events: () =>
      watched
        .split('\n')
        .filter(Boolean)
        .flatMap((l) => {
          const [action = '', nanos = '0', proc, type, task, id = ''] = l.split('|');
          const name = processOfLabels({
            'paas.process': proc,
            'paas.type': type,
            'com.docker.swarm.task.name': task,
          });
          return name === process ? [{ action, ms: Number(BigInt(nanos) / 1_000_000n), id }] : [];
        }),
    stop: () => {
      watcher.kill();
    },
  };
}
