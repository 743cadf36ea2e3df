/** Formation: how many processes of each type an app runs (the agent converges on it). */
import { dynoSize, dynoSizeNames, FORMATION_MAX_QUANTITY } from '@paas/shared';
import { invalid } from '../errors.js';
import type { Db } from '../store/db.js';
import { listFormation, setFormation } from '../store/formation.js';
import { currentRelease } from '../store/releases.js';
import type { AppRow, FormationRow } from '../store/rows.js';
import type { CoreDeps } from './context.js';
import { scaled } from './events.js';
import { formationTypes } from './procfile.js';
import type { Actor } from './releases.js';

export interface ScaleChange {
  type: string;
  quantity?: number | string;
  size?: string;
}

/** A quantity as given (3, "3", "+1", "-2") applied to the current one. Pure. */
export function resolveQuantity(current: number, given: number | string): number {
  const text = String(given).trim();
  const relative = /^[+-]/.test(text);
  const n = Number(text);
  if (!Number.isInteger(n)) throw invalid(`quantity: ${JSON.stringify(given)} is not a whole number`);
  const next = relative ? current + n : n;
  if (next < 0 || next > FORMATION_MAX_QUANTITY) {
    throw invalid(`quantity: must be between 0 and ${FORMATION_MAX_QUANTITY} (${given} would make it ${next})`);
  }
  return next;
}

/** A size as given (any case, `2X`) → its canonical name; an unknown one is an error listing them. */
export function resolveSize(given: string): string {
  const size = dynoSize(given);
  if (!size) throw invalid(`Unknown dyno size: ${given}. Valid sizes are ${dynoSizeNames()}.`);
  return size.name;
}

/** An app's formation rows, and each type's command (null: the image's CMD). */
export interface FormationView {
  rows: FormationRow[];
  commands: Record<string, string | null>;
}

/** The formation of the app's current release: one row per process type it has. */
export function appFormation(core: Pick<CoreDeps, 'db'>, app: AppRow): FormationView {
  const release = currentRelease(core.db, app.id);
  const commands = release?.process_types ?? {};
  const types = new Set(formationTypes(commands));
  return { rows: listFormation(core.db, app.id).filter((r) => types.has(r.type)), commands };
}

/** Applies scale changes all or nothing; an unknown type is an error naming the app's types. */
function applyScale(db: Db, app: AppRow, changes: ScaleChange[]): void {
  db.transaction(() => {
    const { rows } = appFormation({ db }, app);
    const byType = new Map(rows.map((r) => [r.type, r]));
    const planned = changes.map((change) => {
      const row = byType.get(change.type);
      if (!row) {
        const types = [...byType.keys()];
        throw invalid(
          types.length
            ? `No such process type ${change.type} defined in Procfile. This app has: ${types.join(', ')}.`
            : `No such process type ${change.type}: ${app.name} has no process types yet (deploy it first).`,
        );
      }
      return {
        type: change.type,
        quantity: change.quantity === undefined ? undefined : resolveQuantity(row.quantity, change.quantity),
        size: change.size === undefined ? undefined : resolveSize(change.size),
      };
    });
    for (const p of planned) setFormation(db, app.id, p.type, { quantity: p.quantity, size: p.size });
  }).immediate();
}

/**
 * Scales the app's process types (all changes or none), says so in the app's log and tells
 * the runtime. Returns the formation after.
 */
export function scale(core: CoreDeps, app: AppRow, changes: ScaleChange[], actor: Actor): FormationView {
  applyScale(core.db, app, changes);
  core.log.info({ app: app.name, changes }, 'formation changed');
  scaled(core.logs, core.db, app, actor);
  core.orchestrator.poke();
  return appFormation(core, app);
}
