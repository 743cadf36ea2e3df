/**
 * A desired process → the container that runs it, pure: name, image, command (a Procfile
 * command through /bin/sh, exec'd when simple), env, the labels an agent adopts it by, the web
 * port published on 127.0.0.1, the stop timeout, the app's network, and its dyno size's limits.
 */
import { randomBytes } from 'node:crypto';
import { type DesiredProcess, dynoSizeOrDefault, LABELS, shellArgv, WEB_PORT } from '@paas/shared';
import type { ContainerSpec } from './runtime/runtime.js';

export function containerSpec(d: DesiredProcess, platformId: string, agentId: string): ContainerSpec {
  const size = dynoSizeOrDefault(d.size);
  return {
    name: `paas-${d.app}-${d.name}-v${d.release.version}-${randomBytes(3).toString('hex')}`,
    image: d.image,
    cmd: d.command === null ? null : shellArgv(d.command),
    env: { ...d.env, TINI_KILL_PROCESS_GROUP: '1' },
    labels: {
      [LABELS.platform]: platformId,
      [LABELS.agent]: agentId,
      [LABELS.key]: d.key,
      [LABELS.app]: d.app,
      [LABELS.appId]: d.appId,
      [LABELS.type]: d.type,
      [LABELS.index]: String(d.index),
      [LABELS.name]: d.name,
      [LABELS.releaseId]: d.release.id,
      [LABELS.releaseVersion]: String(d.release.version),
      [LABELS.generation]: d.generation,
      [LABELS.stopTimeout]: String(d.stopTimeout),
      [LABELS.command]: d.command ?? '',
      [LABELS.size]: size.name,
      ...(d.oneOff
        ? {
            [LABELS.oneOff]: d.oneOff.id,
            [LABELS.oneOffMode]: d.oneOff.attach ? 'attached' : 'detached',
            [LABELS.runTimeout]: String(d.oneOff.timeout),
          }
        : {}),
    },
    ...(d.oneOff?.attach ? { stdin: true, tty: d.oneOff.tty } : {}),
    ...(d.type === 'web' ? { publish: WEB_PORT } : {}),
    stopTimeout: d.stopTimeout,
    limits: { memoryMb: size.memoryMb, cpus: size.cpus, pids: size.pids },
    // The app's own network: its add-ons answer there by name, and so do its processes:
    // `web.1`, `1.web` (as Heroku's DNS discovery names it; a URL takes this one, since a
    // host name ending in a number parses as an IPv4 address) and `web` (any of that type).
    // Other apps are not on it.
    ...(d.network ? { network: d.network, aliases: [d.name, `${d.index}.${d.type}`, d.type] } : {}),
  };
}
