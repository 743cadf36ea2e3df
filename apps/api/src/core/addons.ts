/**
 * Add-on use cases: create (provisioned by an agent, attached in a release), list, show,
 * destroy, attach to another app, detach, and the resolve actions the Heroku CLI calls.
 */
import { randomUUID } from 'node:crypto';
import { conflict, invalid, notFound, PaasError } from '../errors.js';
import {
  findAddon,
  insertAddon,
  insertAttachment,
  listAttachments,
  liveAddons,
  setAddonState,
} from '../store/addons.js';
import { findApp } from '../store/apps.js';
import type { AddonRow, AppRow, AttachmentRow } from '../store/rows.js';
import { addonName, attachmentName, configVarOf, newSecrets, parsePlan } from './addon-catalog.js';
import { attachmentVars } from './addon-config.js';
import type { AddonKeeper } from './addon-provisioning.js';
import { detachRelease } from './addon-provisioning.js';
import { getConfig } from './config-vars.js';
import type { CoreDeps } from './context.js';
import type { Actor } from './releases.js';

export interface AddonDeps extends CoreDeps {
  addons: AddonKeeper;
}

/** An add-on with what its answers show: the owning app and the attachments. */
export interface AddonView {
  addon: AddonRow;
  owner: AppRow;
  attachments: AttachmentRow[];
}

/** How long a create waits for the service to accept connections before answering `provisioning`. */
export const PROVISION_WAIT_MS = 60_000;

function view(core: Pick<CoreDeps, 'db'>, addon: AddonRow): AddonView {
  const owner = findApp(core.db, addon.app_id);
  if (!owner) throw notFound("Couldn't find that add-on's app.");
  return { addon, owner, attachments: listAttachments(core.db, { addonId: addon.id }) };
}

export interface CreateAddonInput {
  plan: string;
  as?: string;
  name?: string;
}

export async function createAddon(
  core: AddonDeps,
  app: AppRow,
  input: CreateAddonInput,
  actor: Actor,
  signal?: AbortSignal,
): Promise<AddonView> {
  const { service, plan } = parsePlan(input.plan);
  const taken = new Set([...Object.keys(getConfig(core, app)), ...attachmentVars(core.db, app.id)]);
  const as = attachmentName(service, input.as, taken);
  if (input.as !== undefined && taken.has(configVarOf(as))) {
    throw conflict(`${configVarOf(as)} is already set on ${app.name}: choose another --as name.`);
  }
  const name = input.name ?? addonName(service);
  if (!/^[a-z][a-z0-9-]{2,61}$/.test(name)) {
    throw invalid(`Add-on name ${name} is invalid: lowercase letters, digits and dashes, starting with a letter.`);
  }
  const addon = core.db
    .transaction(() => {
      const row = insertAddon(core.db, {
        id: randomUUID(),
        name,
        appId: app.id,
        service: service.name,
        plan: `${service.name}:${plan}`,
        secrets: newSecrets(),
        agentId: null,
      });
      insertAttachment(core.db, { id: randomUUID(), addonId: row.id, appId: app.id, name: as });
      return row;
    })
    .immediate();
  core.log.info({ app: app.name, addon: addon.name, plan: addon.plan, by: actor.email }, 'add-on provisioning');
  core.orchestrator.poke();
  await core.addons.waitProvisioned(addon.id, PROVISION_WAIT_MS, signal);
  return showAddon(core, app, addon.id);
}

/** The app's add-ons (owned or attached), or every live add-on. */
export function listAddons(core: Pick<CoreDeps, 'db'>, app?: AppRow): AddonView[] {
  return liveAddons(core.db, app?.id).map((a) => view(core, a));
}

/** By id or name, among the app's add-ons (owned or attached) when an app is given. */
export function showAddon(core: Pick<CoreDeps, 'db'>, app: AppRow | undefined, ref: string): AddonView {
  const addon = findAddon(core.db, ref);
  const mine =
    addon &&
    (!app ||
      addon.app_id === app.id ||
      listAttachments(core.db, { addonId: addon.id }).some((a) => a.app_id === app.id));
  if (!addon || !mine) throw new PaasError('not_found', `Couldn't find that add-on: ${ref}.`, 'add_on');
  return view(core, addon);
}

/** Detaches it everywhere (a release per attachment), then deprovisions: container and volume go. */
export async function destroyAddon(core: AddonDeps, app: AppRow, ref: string, actor: Actor): Promise<AddonView> {
  const found = showAddon(core, app, ref);
  if (found.addon.app_id !== app.id) {
    throw invalid(`${found.addon.name} is owned by ${found.owner.name}, not ${app.name}: detach it instead.`);
  }
  for (const att of found.attachments) await detachRelease(core, att, actor);
  setAddonState(core.db, found.addon.id, 'deprovisioned');
  core.log.info({ app: app.name, addon: found.addon.name, by: actor.email }, 'add-on deprovisioned');
  core.orchestrator.poke();
  return { ...found, addon: { ...found.addon, state: 'deprovisioned' }, attachments: [] };
}

/** Attaches an existing add-on to `app` (another app, or a second name on the same one). */
export function attachAddon(core: AddonDeps, app: AppRow, ref: string, as: string | undefined): AttachmentRow {
  const found = showAddonAnywhere(core, ref);
  const taken = new Set([...Object.keys(getConfig(core, app)), ...attachmentVars(core.db, app.id)]);
  const name = attachmentName(serviceOfAddon(found.addon), as, taken);
  if (taken.has(configVarOf(name))) throw conflict(`${configVarOf(name)} is already set on ${app.name}.`);
  const att = insertAttachment(core.db, { id: randomUUID(), addonId: found.addon.id, appId: app.id, name });
  core.orchestrator.poke(); // the service joins this app's network
  core.addons.settle(); // released now if the add-on is provisioned
  return att;
}

export async function detachAddon(core: AddonDeps, app: AppRow, ref: string, actor: Actor): Promise<AttachmentRow> {
  const att = resolveAttachment(core, app, ref);
  const owned = findAddon(core.db, att.addon_id)?.app_id === app.id;
  const others = listAttachments(core.db, { addonId: att.addon_id }).filter((a) => a.id !== att.id);
  if (owned && !others.some((a) => a.app_id === app.id)) {
    throw invalid(`${att.name} is the owning app's last attachment: destroy the add-on instead (paas addons:destroy).`);
  }
  await detachRelease(core, att, actor);
  core.orchestrator.poke();
  return att;
}

export function showAddonAnywhere(core: Pick<CoreDeps, 'db'>, ref: string): AddonView {
  return showAddon(core, undefined, ref);
}

/** An attachment of the app by id, name (DATABASE), var (DATABASE_URL) or add-on name. */
export function resolveAttachment(core: Pick<CoreDeps, 'db'>, app: AppRow, ref: string): AttachmentRow {
  const mine = listAttachments(core.db, { appId: app.id });
  const upper = ref.toUpperCase();
  const att =
    mine.find((a) => a.id === ref || a.name === upper || configVarOf(a.name) === upper) ??
    mine.find((a) => findAddon(core.db, a.addon_id)?.name === ref || findAddon(core.db, ref)?.id === a.addon_id);
  if (!att) throw new PaasError('not_found', `Couldn't find that add-on attachment: ${ref}.`, 'add_on attachment');
  return att;
}

export function attachmentsOf(
  core: Pick<CoreDeps, 'db'>,
  filter: { appId?: string; addonId?: string },
): AttachmentRow[] {
  return listAttachments(core.db, filter);
}

const serviceOfAddon = (addon: AddonRow) => parsePlan(addon.service).service;

/** The row type the routes present (routes import nothing from the store). */
export type { AttachmentRow } from '../store/rows.js';
