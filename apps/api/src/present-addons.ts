/** Add-ons and attachments → Heroku's Platform API shapes (as the Heroku CLI 11 reads them). */

import { addonServiceId, configVarOf, planId, serviceOf } from './core/addon-catalog.js';
import type { AddonView } from './core/addons.js';
import { backupName } from './core/pg-backups.js';
import type { AppRow, AttachmentRow, BackupRow } from './store/rows.js';

const FREE = { cents: 0, contract: false, unit: 'month' };

export function presentAddon(v: AddonView) {
  const { addon, owner } = v;
  const service = serviceOf(addon.service);
  const vars = v.attachments.filter((a) => a.app_id === owner.id).map((a) => configVarOf(a.name));
  return {
    id: addon.id,
    name: addon.name,
    state: addon.state,
    actions: [],
    addon_service: { id: service.id, name: service.name },
    plan: { id: planId(addon.plan), name: addon.plan, price: FREE },
    billed_price: FREE,
    billing_entity: { id: owner.id, name: owner.name, type: 'app' },
    app: { id: owner.id, name: owner.name },
    config_vars: vars,
    provision_message:
      addon.state === 'provisioning'
        ? `${addon.name} is starting; paas addons:info ${addon.name} shows when it is ready.`
        : null,
    web_url: null,
    created_at: addon.created_at,
    updated_at: addon.updated_at,
  };
}

export function presentAttachment(v: Pick<AddonView, 'addon' | 'owner'>, att: AttachmentRow, app: AppRow) {
  return {
    id: att.id,
    name: att.name,
    addon: { id: v.addon.id, name: v.addon.name, app: { id: v.owner.id, name: v.owner.name } },
    addon_service: { id: addonServiceId(v.addon.service), name: v.addon.service },
    app: { id: app.id, name: app.name },
    config_vars: [configVarOf(att.name)],
    namespace: null,
    log_input_url: null,
    web_url: null,
    created_at: att.created_at,
    updated_at: att.created_at,
  };
}

/** A pg:backups backup: b001 …, its database add-on, status, size. */
export function presentBackup(app: AppRow, b: BackupRow) {
  return {
    id: b.id,
    name: backupName(b),
    num: b.num,
    status: b.status,
    size: b.size,
    error: b.error,
    addon: { id: b.addon_id },
    app: { id: app.id, name: app.name },
    created_at: b.created_at,
    finished_at: b.finished_at,
  };
}
