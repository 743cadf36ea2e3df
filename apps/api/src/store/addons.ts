/** Add-ons and their attachments (migration 008). Every row read is parsed. */
import { conflict } from '../errors.js';
import { type Db, now } from './db.js';
import { type AddonRow, type AddonSecrets, type AttachmentRow, addonRow, attachmentRow } from './rows.js';

const addon = (row: unknown) => addonRow.parse(row);
const attachment = (row: unknown) => attachmentRow.parse(row);

const isUnique = (err: unknown) => (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';

export function insertAddon(
  db: Db,
  row: {
    id: string;
    name: string;
    appId: string;
    service: AddonRow['service'];
    plan: string;
    secrets: AddonSecrets;
    agentId: string | null;
  },
): AddonRow {
  const at = now();
  try {
    db.prepare(
      `INSERT INTO addons (id, name, app_id, service, plan, state, secrets, agent_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'provisioning', ?, ?, ?, ?)`,
    ).run(row.id, row.name, row.appId, row.service, row.plan, JSON.stringify(row.secrets), row.agentId, at, at);
  } catch (err) {
    if (isUnique(err)) throw conflict(`The add-on name ${row.name} is already taken.`);
    throw err;
  }
  return addon(db.prepare(`SELECT * FROM addons WHERE id = ?`).get(row.id));
}

export function setAddonState(db: Db, id: string, state: AddonRow['state']): void {
  db.prepare(`UPDATE addons SET state = ?, updated_at = ? WHERE id = ?`).run(state, now(), id);
}

/** Live add-ons (not deprovisioned): every app's, or one app's (owned or attached). */
export function liveAddons(db: Db, appId?: string): AddonRow[] {
  const rows =
    appId === undefined
      ? db.prepare(`SELECT * FROM addons WHERE state != 'deprovisioned' ORDER BY created_at`).all()
      : db
          .prepare(
            `SELECT * FROM addons WHERE state != 'deprovisioned' AND (app_id = ? OR id IN
               (SELECT addon_id FROM addon_attachments WHERE app_id = ?)) ORDER BY created_at`,
          )
          .all(appId, appId);
  return rows.map(addon);
}

export function findAddon(db: Db, idOrName: string): AddonRow | undefined {
  const row = db
    .prepare(`SELECT * FROM addons WHERE state != 'deprovisioned' AND (id = ? OR name = ?)`)
    .get(idOrName, idOrName);
  return row === undefined ? undefined : addon(row);
}

export function insertAttachment(
  db: Db,
  row: { id: string; addonId: string; appId: string; name: string },
): AttachmentRow {
  try {
    db.prepare(
      `INSERT INTO addon_attachments (id, addon_id, app_id, name, released, created_at) VALUES (?, ?, ?, ?, 0, ?)`,
    ).run(row.id, row.addonId, row.appId, row.name, now());
  } catch (err) {
    if (isUnique(err)) throw conflict(`The attachment name ${row.name} is already used by this app.`);
    throw err;
  }
  return attachment(db.prepare(`SELECT * FROM addon_attachments WHERE id = ?`).get(row.id));
}

export function markAttachmentReleased(db: Db, id: string): void {
  db.prepare(`UPDATE addon_attachments SET released = 1 WHERE id = ?`).run(id);
}

export function deleteAttachment(db: Db, id: string): void {
  db.prepare(`DELETE FROM addon_attachments WHERE id = ?`).run(id);
}

/** Attachments of live add-ons: every one, an app's, or an add-on's. */
export function listAttachments(db: Db, filter: { appId?: string; addonId?: string } = {}): AttachmentRow[] {
  return db
    .prepare(
      `SELECT t.* FROM addon_attachments t JOIN addons a ON a.id = t.addon_id
       WHERE a.state != 'deprovisioned' AND (@app IS NULL OR t.app_id = @app) AND (@addon IS NULL OR t.addon_id = @addon)
       ORDER BY t.created_at`,
    )
    .all({ app: filter.appId ?? null, addon: filter.addonId ?? null })
    .map(attachment);
}

export function findAddonById(db: Db, id: string): AddonRow | undefined {
  const row = db.prepare(`SELECT * FROM addons WHERE id = ?`).get(id);
  return row === undefined ? undefined : addon(row);
}

export function setAddonAgent(db: Db, id: string, agentId: string): void {
  db.prepare(`UPDATE addons SET agent_id = ? WHERE id = ? AND agent_id IS NULL`).run(agentId, id);
}

/** A destroyed app's add-ons are deprovisioned and its attachments (to others' add-ons) go. */
export function removeAppAddons(db: Db, appId: string): void {
  db.prepare(
    `UPDATE addons SET state = 'deprovisioned', updated_at = ? WHERE app_id = ? AND state != 'deprovisioned'`,
  ).run(now(), appId);
  db.prepare(`DELETE FROM addon_attachments WHERE app_id = ?`).run(appId);
}

/** Attachments in other apps of the live add-ons this app owns. */
export function attachmentsToOthers(db: Db, appId: string): AttachmentRow[] {
  return db
    .prepare(
      `SELECT t.* FROM addon_attachments t JOIN addons a ON a.id = t.addon_id
       WHERE a.app_id = ? AND a.state != 'deprovisioned' AND t.app_id != ?`,
    )
    .all(appId, appId)
    .map(attachment);
}

/** The ids of the add-ons whose service container is placed on this agent (any state). */
export function addonIdsOnAgent(db: Db, agentId: string): Set<string> {
  const rows = db.prepare(`SELECT id FROM addons WHERE agent_id = ?`).all(agentId) as { id: string }[];
  return new Set(rows.map((r) => r.id));
}
