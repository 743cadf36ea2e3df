/**
 * Add-ons after the request that made them: `AddonKeeper.settle()` runs on every status an
 * agent reports (and at start). An add-on `provisioning` whose service container reports `up`
 * (it accepted a connection) becomes `provisioned`; then each attachment not yet released gets
 * its release ("Attach DATABASE resource": the URL in the app's config). Both steps are
 * level-triggered from the store, so an api killed between them finishes on its next start,
 * and an agent killed mid-provisioning adopts (or makes again) the container when it is back.
 */
import type { ServiceStatus } from '@paas/shared';
import {
  deleteAttachment,
  findAddonById,
  listAttachments,
  liveAddons,
  markAttachmentReleased,
  setAddonState,
} from '../store/addons.js';
import { findApp } from '../store/apps.js';
import type { AddonRow, AppRow, AttachmentRow, ReleaseRow } from '../store/rows.js';
import { addonUrl, configVarOf } from './addon-catalog.js';
import type { CoreDeps } from './context.js';
import { lockApp, settleRelease } from './release-flow.js';
import { released } from './released.js';
import { type Actor, setConfigVars } from './releases.js';

const SYSTEM: Actor = { email: 'addons@paas' };

export class AddonKeeper {
  private readonly waiters = new Map<string, (() => void)[]>();
  private readonly releasing = new Set<string>();
  private core: CoreDeps | undefined;

  constructor(private readonly reported: () => ServiceStatus[]) {}

  /** Late: core's deps include this keeper. */
  bind(core: CoreDeps): void {
    this.core = core;
  }

  /** Resolves when the add-on is provisioned (true) or after `ms` (false). */
  waitProvisioned(addonId: string, ms: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(ok);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), ms);
      signal?.addEventListener('abort', onAbort);
      this.waiters.set(addonId, [...(this.waiters.get(addonId) ?? []), () => done(true)]);
      this.settle();
    });
  }

  settle(): void {
    const core = this.core;
    if (!core) return;
    try {
      const up = new Set(
        this.reported()
          .filter((s) => s.state === 'up')
          .map((s) => s.id),
      );
      for (const addon of liveAddons(core.db)) {
        if (addon.state === 'provisioning' && up.has(addon.id)) {
          setAddonState(core.db, addon.id, 'provisioned');
          core.log.info({ addon: addon.name, app: addon.app_id }, 'add-on provisioned');
        }
      }
      for (const att of listAttachments(core.db)) {
        const addon = findAddonById(core.db, att.addon_id);
        if (!att.released && addon?.state === 'provisioned') void this.attach(core, addon, att);
      }
      for (const id of this.waiters.keys()) this.tellIfDone(core, id);
    } catch (err) {
      core.log.error({ err }, 'settling add-ons failed; the next status tries again');
    }
  }

  /** The attach release; the add-on's waiters are told once it is stored. */
  private async attach(core: CoreDeps, addon: AddonRow, att: AttachmentRow): Promise<void> {
    if (this.releasing.has(att.id)) return;
    this.releasing.add(att.id);
    try {
      const app = findApp(core.db, att.app_id);
      if (!app) return;
      const unlock = await lockApp(core, app, `Attach ${att.name} resource`);
      let release: ReturnType<typeof setConfigVars> | undefined;
      try {
        release = core.db
          .transaction(() => {
            const still = listAttachments(core.db, { appId: app.id }).find((a) => a.id === att.id);
            if (!still || still.released) return undefined;
            markAttachmentReleased(core.db, att.id);
            return setConfigVars(
              core.db,
              app,
              { [configVarOf(att.name)]: addonUrl(addon) },
              SYSTEM,
              `Attach ${att.name} resource`,
            );
          })
          .immediate();
      } catch (err) {
        unlock();
        throw err;
      }
      await settleNow(core, app, release, SYSTEM, unlock);
    } catch (err) {
      core.log.error({ err, addon: addon.name }, 'attach release failed; the next status tries again');
    } finally {
      this.releasing.delete(att.id);
      this.tellIfDone(core, addon.id);
    }
  }

  /** Provisioned and every attachment released: the waiters go on. */
  private tellIfDone(core: CoreDeps, addonId: string): void {
    if (findAddonById(core.db, addonId)?.state !== 'provisioned') return;
    // Released means stored; its release phase may still run (then `releasing` holds it).
    if (listAttachments(core.db, { addonId }).some((a) => !a.released || this.releasing.has(a.id))) return;
    for (const w of this.waiters.get(addonId) ?? []) w();
    this.waiters.delete(addonId);
  }
}

/** A release removing an attachment's var (if it was released) and the attachment. */
export async function detachRelease(core: CoreDeps, att: AttachmentRow, actor: Actor): Promise<void> {
  const app = findApp(core.db, att.app_id);
  if (!app) return;
  const unlock = await lockApp(core, app, `Detach ${att.name} resource`);
  let release: ReturnType<typeof setConfigVars> | undefined;
  try {
    release = core.db
      .transaction(() => {
        deleteAttachment(core.db, att.id);
        if (!att.released) return undefined;
        return setConfigVars(core.db, app, { [configVarOf(att.name)]: null }, actor, `Detach ${att.name} resource`);
      })
      .immediate();
  } catch (err) {
    unlock();
    throw err;
  }
  await settleNow(core, app, release, actor, unlock);
}

/**
 * Rolls the release out, its release phase first (awaited: whoever attached or detached sees
 * the new config when they are answered), then lets the app's lock go.
 */
async function settleNow(
  core: CoreDeps,
  app: AppRow,
  release: ReleaseRow | undefined,
  actor: Actor,
  unlock: () => void,
) {
  try {
    if (!release) return;
    if (release.status !== 'pending') return released(core, app, release, actor);
    await core.phases.track(settleRelease(core, app, release, actor, () => {}));
  } finally {
    unlock();
  }
}
