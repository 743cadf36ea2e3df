/**
 * The images a swarm service runs: with the platform's registry, each release image pushed
 * there once and named by digest (every node pulls exactly it); and what each image is (its
 * USER, ENTRYPOINT and CMD, whether it has setpriv: the task's confinement and start gate wrap
 * them). Caches live for the api's run.
 */
import type { DesiredProcess } from '@paas/shared';
import type { ImageFacts, ImageFactsEngine } from '../../docker-image-facts.js';
import type { RegistryAuth, SwarmEngine } from '../../docker-swarm.js';
import type { Logger } from '../../logger.js';
import { RUNNER_LABEL } from '../docker-one-off.js';
import { registryRepo, registryTag } from '../registry-images.js';

export interface SwarmImagesDeps {
  swarm: Pick<SwarmEngine, 'pushImage'>;
  facts: ImageFactsEngine;
  log: Logger;
  platformId: string;
  registry?: RegistryAuth;
}

export class SwarmImages {
  /** Image id → the registry reference every node pulls. */
  private readonly pushed = new Map<string, string>();
  /** Image id → its facts (read once per api run). */
  private readonly factCache = new Map<string, ImageFacts>();

  constructor(private readonly deps: SwarmImagesDeps) {}

  /**
   * With a registry, each process's image becomes the registry reference (pushed first, once);
   * a type whose push failed is kept as it runs (`keep`) and tried again on the next pass.
   */
  async pin(wanted: DesiredProcess[]): Promise<{ processes: DesiredProcess[]; keep: Set<string> }> {
    const { registry, swarm, log } = this.deps;
    if (!registry) return { processes: wanted, keep: new Set() };
    const keep = new Set<string>();
    const processes: DesiredProcess[] = [];
    for (const p of wanted) {
      let ref = this.pushed.get(p.image);
      if (ref === undefined && !keep.has(`${p.appId}:${p.type}`)) {
        try {
          const repo = `${registry.serveraddress}/${registryRepo(p.appId)}`;
          ref = await swarm.pushImage(p.image, repo, registryTag(p.image), registry);
          this.pushed.set(p.image, ref);
          log.info({ app: p.app, image: p.image, ref }, 'pushed a release image to the registry');
        } catch (err) {
          log.error({ err, app: p.app, image: p.image }, 'could not push the image to the registry; trying again');
        }
      }
      if (ref === undefined) keep.add(`${p.appId}:${p.type}`);
      else processes.push({ ...p, image: ref });
    }
    return { processes: processes.filter((p) => !keep.has(`${p.appId}:${p.type}`)), keep };
  }

  /** The registry's copy of an image is being deleted (core/registry-images.ts): push it again if wanted. */
  forgetPushed(tag: string): void {
    for (const image of this.pushed.keys()) if (registryTag(image) === tag) this.pushed.delete(image);
  }

  /**
   * Each type's image facts (key app id:type: USER, ENTRYPOINT, CMD, setpriv), read once per
   * image; a type whose read failed is left out (it stays as it runs; tried again next pass).
   */
  async facts(wanted: DesiredProcess[]): Promise<Map<string, ImageFacts>> {
    const out = new Map<string, ImageFacts>();
    for (const p of wanted) {
      let facts = this.factCache.get(p.image);
      if (!facts) {
        try {
          // Labelled as the api's own containers: one left by an api killed meanwhile goes at its start.
          const labels = { 'paas.platform': this.deps.platformId, [RUNNER_LABEL]: 'api' };
          facts = await this.deps.facts.imageFacts(p.image, labels);
          this.factCache.set(p.image, facts);
        } catch (err) {
          this.deps.log.error({ err, app: p.app, image: p.image }, 'could not read a release image; trying again');
          continue;
        }
      }
      out.set(`${p.appId}:${p.type}`, facts);
    }
    return out;
  }
}
