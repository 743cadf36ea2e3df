/**
 * The registry's share of image collection (the `swarm` runtime with PAAS_REGISTRY): a release
 * image pushed there is `paas/<app id>:<tag>`, the tag being the image id's first 32 hex
 * digits. The same rule as for the engine's images (core/images.ts) decides what goes: tags
 * of images no live app keeps (older than its newest PAAS_KEEP_RELEASES releases and not its
 * current one), and every tag of a destroyed app. A repository of an app this platform does
 * not know is left alone. Deleting a tag's manifest frees the blobs at the registry's next
 * garbage collection (deploy/registry-gc.sh).
 */
import type { Logger } from '../logger.js';
import type { RegistryClient } from '../registry-client.js';

/** An app as the registry's collection sees it. */
export interface RegistryApp {
  appId: string;
  destroyed: boolean;
}

/** A release image's tag in the registry. */
export function registryTag(imageId: string): string {
  return imageId.replace(/^sha256:/, '').slice(0, 32);
}

/** The repository an app's release images are pushed to (under the registry's address). */
export function registryRepo(appId: string): string {
  return `paas/${appId}`;
}

export interface RepoTags {
  repo: string;
  tags: string[];
}

/** Which tags to delete, as `repo:tag` pairs, `kept` being the image ids the rule keeps. Pure. */
export function registryRemovals(apps: RegistryApp[], present: RepoTags[], kept: Set<string>): RepoTags[] {
  const keep = new Set([...kept].map(registryTag));
  const byRepo = new Map(apps.map((a) => [registryRepo(a.appId), a]));
  const out: RepoTags[] = [];
  for (const { repo, tags } of present) {
    const app = byRepo.get(repo);
    if (!app) continue;
    const gone = app.destroyed ? tags : tags.filter((t) => !keep.has(t));
    if (gone.length) out.push({ repo, tags: [...gone].sort() });
  }
  return out;
}

export interface RegistryCollection {
  client: Pick<RegistryClient, 'repositories' | 'tags' | 'deleteTag'>;
  /** Told before a tag is deleted: whoever cached its reference (the swarm driver) pushes again. */
  forget(tag: string): void;
}

/**
 * One pass over the registry. `kept` (the image ids the rule keeps) is asked again right
 * before each deletion, inside the caller's exclusive section: a rollback made meanwhile may
 * name the image again.
 */
export async function collectRegistry(
  registry: RegistryCollection,
  apps: RegistryApp[],
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>,
  kept: () => Set<string>,
  log: Logger,
): Promise<number> {
  const repos = (await registry.client.repositories()).filter((r) => r.startsWith('paas/'));
  const present: RepoTags[] = [];
  for (const repo of repos) present.push({ repo, tags: await registry.client.tags(repo) });
  let deleted = 0;
  for (const { repo, tags } of registryRemovals(apps, present, kept())) {
    const destroyed = apps.find((a) => registryRepo(a.appId) === repo)?.destroyed ?? false;
    for (const tag of tags) {
      const gone = await exclusive(async () => {
        if (!destroyed && [...kept()].some((id) => registryTag(id) === tag)) return false;
        registry.forget(tag);
        return registry.client.deleteTag(repo, tag);
      });
      if (gone) deleted += 1;
    }
  }
  if (deleted) log.info({ deleted }, 'registry images collected');
  return deleted;
}
