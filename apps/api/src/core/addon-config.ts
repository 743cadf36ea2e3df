/** The config vars an app's attachments hold: the add-ons' URLs under `<NAME>_URL`. */
import { findAddonById, listAttachments } from '../store/addons.js';
import type { Db } from '../store/db.js';
import type { ConfigMap } from '../store/rows.js';
import { addonUrl, configVarOf } from './addon-catalog.js';

/** The vars of the app's released attachments, as they are now. */
export function attachedConfig(db: Db, appId: string): ConfigMap {
  const out: ConfigMap = {};
  for (const att of listAttachments(db, { appId })) {
    if (!att.released) continue;
    const addon = findAddonById(db, att.addon_id);
    if (addon) out[configVarOf(att.name)] = addonUrl(addon);
  }
  return out;
}

/** Every var name an attachment of the app holds or is about to hold. */
export function attachmentVars(db: Db, appId: string): Set<string> {
  return new Set(listAttachments(db, { appId }).map((a) => configVarOf(a.name)));
}
