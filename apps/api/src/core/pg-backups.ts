/**
 * pg:backups: `pg_dump -Fc` of an app's PostgreSQL add-on into a file under
 * PAAS_DATA_DIR/backups/<app id>/<backup id>.dump, run in the add-on's own container (its
 * pg_dump matches its server), listed as b001, b002 …; restored with `pg_restore --clean`
 * fed from that file; downloaded as the file itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { LABELS } from '@paas/shared';
import type { ServiceExec } from '../docker.js';
import { invalid, notFound, PaasError } from '../errors.js';
import type { Logger } from '../logger.js';
import { findAddonById, listAttachments } from '../store/addons.js';
import type { Db } from '../store/db.js';
import { failRunningBackups, finishBackup, insertBackup, listBackups } from '../store/pg-backups.js';
import type { AddonRow, AppRow, BackupRow } from '../store/rows.js';
import { configVarOf } from './addon-catalog.js';

export interface PgBackupsDeps {
  db: Db;
  log: Logger;
  exec: ServiceExec;
  platformId: string;
  /** PAAS_DATA_DIR/backups */
  dir: string;
}

export const backupName = (b: Pick<BackupRow, 'num'>) => `b${String(b.num).padStart(3, '0')}`;

export class PgBackups {
  constructor(private readonly deps: PgBackupsDeps) {
    const failed = failRunningBackups(deps.db);
    if (failed) deps.log.warn({ failed }, 'backups a stopped api left running are marked failed');
  }

  /** The app's PostgreSQL add-on: by attachment (DATABASE, DATABASE_URL) or add-on name; else its DATABASE. */
  database(app: AppRow, ref?: string): AddonRow {
    const pgs = listAttachments(this.deps.db, { appId: app.id }).flatMap((att) => {
      const addon = findAddonById(this.deps.db, att.addon_id);
      return addon?.service === 'heroku-postgresql' ? [{ att, addon }] : [];
    });
    const wanted = ref?.toUpperCase();
    const found = ref
      ? pgs.find((p) => p.att.name === wanted || configVarOf(p.att.name) === wanted || p.addon.name === ref)
      : (pgs.find((p) => p.att.name === 'DATABASE') ?? (pgs.length === 1 ? pgs[0] : undefined));
    if (!found) {
      throw notFound(
        ref
          ? `Couldn't find the PostgreSQL add-on ${ref} on ${app.name}.`
          : `${app.name} has no PostgreSQL database (paas addons:create heroku-postgresql).`,
      );
    }
    if (found.addon.state !== 'provisioned') throw invalid(`${found.addon.name} is still provisioning.`);
    return found.addon;
  }

  list(app: AppRow): BackupRow[] {
    return listBackups(this.deps.db, app.id);
  }

  /** By name (b003) or id; none given: the newest that succeeded. */
  find(app: AppRow, ref?: string): BackupRow {
    const all = this.list(app);
    const found = ref
      ? all.find((b) => b.id === ref || backupName(b) === ref.toLowerCase())
      : all.find((b) => b.status === 'succeeded');
    if (!found)
      throw notFound(ref ? `Couldn't find backup ${ref}.` : `${app.name} has no backups (paas pg:backups:capture).`);
    return found;
  }

  file(b: Pick<BackupRow, 'app_id' | 'id'>): string {
    return path.join(this.deps.dir, b.app_id, `${b.id}.dump`);
  }

  async capture(app: AppRow, ref?: string): Promise<BackupRow> {
    const addon = this.database(app, ref);
    const container = await this.container(addon);
    const backup = insertBackup(this.deps.db, app.id, addon.id);
    const file = this.file(backup);
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const out = fs.createWriteStream(file, { mode: 0o600 });
    const { user, database } = addon.secrets;
    try {
      const done = new Promise<void>((resolve, reject) => out.on('finish', () => resolve()).on('error', reject));
      const result = await this.deps.exec.exec({
        container,
        argv: ['pg_dump', '-Fc', '--no-owner', '-U', user, '-d', database],
        user: 'postgres',
        output: out,
      });
      out.end();
      await done;
      if (result.exitCode !== 0) throw new Error(result.stderr.trim() || `pg_dump exited with ${result.exitCode}`);
      const size = fs.statSync(file).size;
      this.deps.log.info({ app: app.name, backup: backupName(backup), size }, 'backup captured');
      return finishBackup(this.deps.db, backup.id, { size });
    } catch (err) {
      out.destroy();
      fs.rmSync(file, { force: true });
      const failed = finishBackup(this.deps.db, backup.id, { error: (err as Error).message });
      throw new PaasError('unavailable', `Backup ${backupName(failed)} failed: ${(err as Error).message}`);
    }
  }

  /** Replaces the database's contents with the backup's (pg_restore --clean --if-exists). */
  async restore(app: AppRow, backupRef: string | undefined, databaseRef?: string): Promise<BackupRow> {
    const backup = this.find(app, backupRef);
    if (backup.status !== 'succeeded')
      throw invalid(`Backup ${backupName(backup)} did not succeed: nothing to restore.`);
    const addon = this.database(app, databaseRef);
    const container = await this.container(addon);
    const { user, database } = addon.secrets;
    const result = await this.deps.exec.exec({
      container,
      argv: [
        'pg_restore',
        '--clean',
        '--if-exists',
        '--no-owner',
        '--no-privileges',
        '--single-transaction',
        '-U',
        user,
        '-d',
        database,
      ],
      user: 'postgres',
      input: fs.createReadStream(this.file(backup)),
    });
    if (result.exitCode !== 0) {
      throw new PaasError('unavailable', `Restoring ${backupName(backup)} failed: ${result.stderr.trim()}`);
    }
    this.deps.log.info({ app: app.name, backup: backupName(backup), addon: addon.name }, 'backup restored');
    return backup;
  }

  /** The dump file to stream to a client. */
  open(app: AppRow, ref: string | undefined): { backup: BackupRow; size: number; stream: Readable } {
    const backup = this.find(app, ref);
    if (backup.status !== 'succeeded')
      throw invalid(`Backup ${backupName(backup)} did not succeed: nothing to download.`);
    const file = this.file(backup);
    return { backup, size: fs.statSync(file).size, stream: fs.createReadStream(file) };
  }

  private async container(addon: AddonRow): Promise<string> {
    const id = await this.deps.exec.findRunning({
      [LABELS.platform]: this.deps.platformId,
      [LABELS.service]: addon.id,
    });
    if (!id) throw new PaasError('unavailable', `${addon.name} is not running on this host right now; try again soon.`);
    return id;
  }
}
