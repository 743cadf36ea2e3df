/**
 * Image collection: each live app keeps the images of its newest PAAS_KEEP_RELEASES releases
 * (and of its current one); images of older releases and of destroyed apps are removed, in
 * the background after a release (and after apps:destroy), never forced, and only images
 * labelled with this platform's id. Docker refuses to remove an image any container uses
 * (a 409), which here means "keep it for now": the collection is tried again later.
 *
 * A rollback to a release whose image is gone builds it again (core/release-history.ts).
 */
import type { ImageEngine, ImageSummary } from '../docker.js';
import type { Logger } from '../logger.js';
import type { Db } from '../store/db.js';
import { releaseImages } from '../store/releases.js';
import { KeyedMutex } from './locks.js';
import { collectRegistry, type RegistryCollection } from './registry-images.js';

export interface AppImages {
  appId: string;
  destroyed: boolean;
  releases: { version: number; imageId: string | null; status: 'pending' | 'succeeded' | 'failed' }[];
}

/** The images that must stay: per live app, those of its newest `keepReleases` releases and its current one. Pure. */
export function keptImages(apps: AppImages[], keepReleases: number): Set<string> {
  const keep = new Set<string>();
  for (const app of apps) {
    if (app.destroyed) continue;
    const newestFirst = [...app.releases].sort((a, b) => b.version - a.version);
    for (const r of newestFirst.slice(0, keepReleases)) if (r.imageId) keep.add(r.imageId);
    const current = newestFirst.find((r) => r.status === 'succeeded');
    if (current?.imageId) keep.add(current.imageId);
  }
  return keep;
}

/**
 * Which of the `present` images (the platform's, as Docker lists them) to remove: those a
 * release names (or a destroyed app's build labelled) that no app keeps. An image nothing
 * names, such as one a build has just made for a release not yet written, is left alone.
 * Releases share images (a config change reuses its predecessor's), so an image goes only
 * when no kept release of any app names it. Pure.
 */
export function imagesToRemove(apps: AppImages[], present: ImageSummary[], keepReleases: number): string[] {
  const keep = keptImages(apps, keepReleases);
  const named = new Set<string>();
  for (const app of apps) for (const r of app.releases) if (r.imageId) named.add(r.imageId);
  const destroyed = new Set(apps.filter((a) => a.destroyed).map((a) => a.appId));
  return present
    .filter((image) => !keep.has(image.id))
    .filter((image) => named.has(image.id) || destroyed.has(image.labels['paas.app-id'] ?? ''))
    .map((image) => image.id)
    .sort();
}

/** The store's apps and their releases' images, grouped for the decisions above. */
export function readAppImages(db: Db): AppImages[] {
  const apps = new Map<string, AppImages>();
  for (const row of releaseImages(db)) {
    let app = apps.get(row.app_id);
    if (!app) {
      app = { appId: row.app_id, destroyed: row.destroyed, releases: [] };
      apps.set(row.app_id, app);
    }
    if (row.version !== null && row.status !== null) {
      app.releases.push({ version: row.version, imageId: row.image_id, status: row.status });
    }
  }
  return [...apps.values()];
}

export interface ImageCollectorDeps {
  db: Db;
  docker: Pick<ImageEngine, 'inspect' | 'list' | 'remove'>;
  platformId: string;
  keepReleases: number;
  log: Logger;
  /** The platform's registry (swarm runtime with PAAS_REGISTRY): its release images go by the same rule. */
  registry?: RegistryCollection;
}

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 5 * 60_000;
const MAX_RETRIES = 10;

export class ImageCollector {
  /** Held while one image is removed, and while a release is made with an image just checked. */
  private readonly lock = new KeyedMutex();
  private wanted = false;
  private running: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retries = 0;
  private closed = false;

  constructor(private readonly deps: ImageCollectorDeps) {}

  /**
   * Runs `fn` while no image is being removed. A release made inside, with an image checked
   * inside, names an image that exists; the next removal sees that release.
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.lock.acquire('images');
    try {
      return await fn();
    } finally {
      release();
    }
  }

  async exists(imageId: string): Promise<boolean> {
    return (await this.deps.docker.inspect(imageId)) !== null;
  }

  /** Asks for a collection; it runs in the background (one at a time) and never throws. */
  collect(): void {
    if (this.closed) return;
    this.wanted = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
      if (this.wanted) this.collect();
    });
  }

  /** Stops asking; waits for a collection under way to finish. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.running;
  }

  private async loop(): Promise<void> {
    while (this.wanted && !this.closed) {
      this.wanted = false;
      let inUse = 0;
      try {
        inUse = await this.collectOnce();
      } catch (err) {
        this.deps.log.warn({ err }, 'image collection failed; it is tried again later');
        inUse = 1;
      }
      this.scheduleRetry(inUse > 0);
    }
  }

  /** Images kept because a container still used them go once it is gone: try again, backing off. */
  private scheduleRetry(needed: boolean): void {
    if (!needed || this.closed) {
      this.retries = 0;
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      return;
    }
    if (this.retries >= MAX_RETRIES) {
      this.deps.log.info('images still in use are left until the next release');
      this.retries = 0;
      return;
    }
    const delay = Math.min(FIRST_RETRY_MS * 2 ** this.retries, MAX_RETRY_MS);
    this.retries += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.collect();
    }, delay);
    this.retryTimer.unref();
  }

  /**
   * Removes an app's build cache: the images of its generated builds' build stages (labelled
   * `paas.build-cache`; no release names them), never forced. Returns how many went.
   */
  async removeBuildCache(appId: string): Promise<number> {
    const { docker, platformId } = this.deps;
    const found = await docker.list({ 'paas.platform': platformId, 'paas.app-id': appId, 'paas.build-cache': '1' });
    let removed = 0;
    for (const image of found) {
      if ((await this.exclusive(() => docker.remove(image.id))).status === 'removed') removed += 1;
    }
    return removed;
  }

  /** One pass; returns how many images were kept because they are in use. */
  private async collectOnce(): Promise<number> {
    const { db, docker, platformId, keepReleases, log, registry } = this.deps;
    if (registry) {
      try {
        const kept = () => keptImages(readAppImages(db), keepReleases);
        await collectRegistry(registry, readAppImages(db), (fn) => this.exclusive(fn), kept, log);
      } catch (err) {
        log.warn({ err }, 'registry collection failed; it is tried again after the next release');
      }
    }
    const present = await docker.list({ 'paas.platform': platformId });
    const remove = imagesToRemove(readAppImages(db), present, keepReleases);
    if (!remove.length) return 0;
    const tags = new Map(present.map((i) => [i.id, i.tags]));
    let removed = 0;
    let inUse = 0;
    for (const id of remove) {
      if (this.closed) break;
      const outcome = await this.exclusive(async () => {
        // A release made since the list was read (a rollback) may name it now.
        if (keptImages(readAppImages(db), keepReleases).has(id)) return { status: 'kept' as const };
        return docker.remove(id);
      });
      if (outcome.status === 'removed') {
        removed += 1;
        log.debug({ image: id, tags: tags.get(id) }, 'image removed');
      } else if (outcome.status === 'conflict') {
        inUse += 1;
        log.debug({ image: id, reason: outcome.message }, 'image kept: in use');
      }
    }
    log.info({ removed, inUse, candidates: remove.length }, 'images collected');
    return inUse;
  }
}
