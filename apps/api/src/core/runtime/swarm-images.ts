/**
 * The images a swarm service runs: with the platform's registry, each release image pushed
 * there once and named by digest (every node pulls exactly it); and what an image runs when
 * its type has no command of its own (entrypoint and CMD, read once per image: the task's start
 * gate wraps it). Caches live for the api's run.
 */
import type { DesiredProcess } from '@paas/shared';
import type { RegistryAuth, SwarmEngine } from '../../docker-swarm.js';
import type { Logger } from '../../logger.js';
import { registryRepo, registryTag } from '../registry-images.js';

export interface SwarmImagesDeps {
  swarm: Pick<SwarmEngine, 'pushImage' | 'imageArgv'>;
  log: Logger;
  registry?: RegistryAuth;
}

export class SwarmImages {
  /** Image id → the registry reference every node pulls. */
  private readonly pushed = new Map<string, string>();
  /** Image id → what it runs with no command (entrypoint and CMD; null: not on this engine). */
  private readonly argvCache = new Map<string, string[] | null>();

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

  /** What each type without a command of its own runs (its image's entrypoint and CMD), by app id:type. */
  async argvs(wanted: DesiredProcess[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const p of wanted) {
      if (p.command !== null) continue;
      let argv = this.argvCache.get(p.image);
      if (argv === undefined) {
        try {
          argv = await this.deps.swarm.imageArgv(p.image);
          this.argvCache.set(p.image, argv);
        } catch (err) {
          this.deps.log.error({ err, image: p.image }, 'could not read an image’s CMD; its tasks run it ungated');
          continue;
        }
      }
      if (argv?.length) out.set(`${p.appId}:${p.type}`, argv);
    }
    return out;
  }
}
