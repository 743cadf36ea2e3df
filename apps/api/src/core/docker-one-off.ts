/**
 * The one-off runner the release phase uses until agents run one-offs: the command runs in a
 * container on the api's own Docker engine (the release's image, its config, `DYNO=release.N`,
 * Docker's init, `/bin/sh -c COMMAND` as a Procfile command runs), labelled with the platform
 * (so nothing unlabelled is touched, and test sweeps find it) and `paas.runner=api` (so no
 * agent adopts or stops it). When agents run one-offs (`POST /apps/{app}/dynos`), an
 * agent-backed OneOffRunner replaces this one in deps.ts; nothing else changes.
 */
import { randomBytes } from 'node:crypto';
import { LABELS } from '@paas/shared';
import type { ContainerEngine } from '../docker.js';
import type { OneOffRequest, OneOffRunner } from './release-phase.js';

export const RUNNER_LABEL = 'paas.runner';

export class DockerOneOffRunner implements OneOffRunner {
  constructor(
    private readonly deps: {
      docker: ContainerEngine;
      platformId: string;
      /** Seconds between SIGTERM and SIGKILL when it is stopped. */
      stopTimeout: number;
    },
  ) {}

  runOneOff(req: OneOffRequest): Promise<{ exitCode: number }> {
    const { release, app } = req;
    return this.deps.docker.run({
      name: `paas-${app.name}-${req.name}-${randomBytes(3).toString('hex')}`,
      image: release.image,
      cmd: ['/bin/sh', '-c', req.command],
      env: {
        ...release.config,
        DYNO: req.name,
        PAAS_RELEASE: `v${release.version}`,
        TINI_KILL_PROCESS_GROUP: '1',
      },
      labels: {
        [LABELS.platform]: this.deps.platformId,
        [LABELS.app]: app.name,
        [LABELS.appId]: app.id,
        [LABELS.type]: req.type,
        [LABELS.name]: req.name,
        [LABELS.releaseId]: release.id,
        [LABELS.releaseVersion]: String(release.version),
        [RUNNER_LABEL]: 'api',
      },
      onOutput: req.onOutput,
      signal: req.signal,
      stopTimeout: this.deps.stopTimeout,
    });
  }

  /** Containers an earlier api run left (it was killed mid-phase): removed at start-up. */
  removeLeftovers(): Promise<number> {
    return this.deps.docker.removeContainers({ [LABELS.platform]: this.deps.platformId, [RUNNER_LABEL]: 'api' });
  }
}
