/**
 * Each app's private network under the `swarm` runtime: an attachable overlay network
 * (`appOverlay`, Swarm scope) the api makes before the app's services, one-offs or add-ons
 * need it, labelled with the platform and the app, and removes once nothing of the app
 * needs it (the app destroyed, or left with no process, one-off or add-on). Its services'
 * tasks join it (swarm-spec.ts), and so do the containers the agents run for the app: its
 * one-offs and release phase, and its add-ons (by their names, the hosts of the config vars'
 * URLs), on whichever node they are. Another app is on another overlay.
 */
import { appNetwork, appOverlay, type DesiredProcess, LABELS } from '@paas/shared';
import type { OverlayEngine } from '../../docker-overlays.js';
import type { Logger } from '../../logger.js';
import type { PlacedService } from './driver.js';
import { SWARM_LABELS } from './swarm-spec.js';

/** The apps (id → name) that need their overlay: each with a process, a one-off or an add-on. */
export function overlayApps(wanted: DesiredProcess[], services: PlacedService[]): Map<string, string> {
  const apps = new Map<string, string>();
  for (const p of wanted) apps.set(p.appId, p.app);
  for (const { service } of services) {
    service.appIds.forEach((id, i) => {
      if (!apps.has(id)) apps.set(id, i === 0 ? service.app : '');
    });
  }
  return apps;
}

/**
 * What the agents run under swarm, pure: the one-offs whose app's overlay exists, on it (one
 * whose overlay is still being made waits a pass: it could not start without it); the
 * processes handed over from the agents (a platform switching runtimes) on their bridge as
 * before; and the add-on containers on their apps' overlays, plus an app's bridge while its
 * overlay is not made yet or its processes still run on agents (the hand-over). An add-on is
 * never left out (the agent would remove it): at worst it stays on the bridge a little longer.
 */
export function forAgents(
  wanted: DesiredProcess[],
  services: PlacedService[],
  handover: DesiredProcess[],
  ready: Set<string>,
): { processes: DesiredProcess[]; services: PlacedService[] } {
  const oneOffs = wanted
    .filter((w) => w.oneOff && ready.has(w.appId))
    .map((w) => ({ ...w, network: appOverlay(w.appId) }));
  const bridged = new Set(handover.map((p) => p.appId));
  const networksOf = (appIds: string[]) =>
    appIds.flatMap((id) => [
      ...(ready.has(id) ? [appOverlay(id)] : []),
      ...(!ready.has(id) || bridged.has(id) ? [appNetwork(id)] : []),
    ]);
  return {
    processes: [...oneOffs, ...handover],
    services: services.map((p) => ({ ...p, service: { ...p.service, networks: networksOf(p.service.appIds) } })),
  };
}

/** The overlays that exist (app ids in `ready`), made and removed to follow what is needed. */
export class AppOverlays {
  /** Apps whose overlay exists (as of the last look, and those made since). */
  readonly ready = new Set<string>();
  /**
   * Whether the overlays were looked at yet: until then nothing is handed to the agents (an
   * api just started would otherwise move add-ons back to the bridges for a pass).
   */
  looked = false;

  constructor(private readonly deps: { engine: OverlayEngine; platformId: string; log: Logger }) {}

  private get labels() {
    return { [LABELS.platform]: this.deps.platformId, [SWARM_LABELS.runtime]: 'swarm' };
  }

  /** Looks at the overlays and makes the missing ones; true when it made one (or looked for the first time). */
  async ensure(needed: Map<string, string>): Promise<boolean> {
    const { engine, log } = this.deps;
    const existing = await engine.listOverlays(this.labels);
    this.ready.clear();
    for (const n of existing) if (n.labels[LABELS.appId]) this.ready.add(n.labels[LABELS.appId] ?? '');
    let made = !this.looked;
    this.looked = true;
    for (const [appId, app] of needed) {
      if (this.ready.has(appId)) continue;
      try {
        await engine.createOverlay(appOverlay(appId), {
          ...this.labels,
          [LABELS.appId]: appId,
          ...(app ? { [LABELS.app]: app } : {}),
        });
        this.ready.add(appId);
        made = true;
        log.info({ app, network: appOverlay(appId) }, 'made an app overlay network');
      } catch (err) {
        log.error({ err, app }, 'could not make an app overlay network; trying again on the next pass');
      }
    }
    return made;
  }

  /**
   * Removes the overlays no app needs any more (`needed` is asked again just before each, so
   * a one-off handed out meanwhile keeps its network). One still in use (its services' tasks
   * stopping) is tried again on the next pass.
   */
  async sweep(needed: () => Map<string, string>): Promise<void> {
    const { engine, log } = this.deps;
    const existing = await engine.listOverlays(this.labels);
    for (const n of existing) {
      const appId = n.labels[LABELS.appId] ?? '';
      if (needed().has(appId)) continue;
      this.ready.delete(appId); // nothing is handed this network from now on
      try {
        if (await engine.removeOverlay(n.id)) log.info({ network: n.name }, 'removed an app overlay network');
      } catch (err) {
        log.warn({ err, network: n.name }, 'could not remove an app overlay network; trying again');
      }
    }
  }
}
