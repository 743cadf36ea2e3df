/**
 * One-off processes (`paas run`, `heroku run`, Heroku's `POST /apps/:app/dynos`): a command
 * run once from the app's current release (its image and config, plus `env`), on an agent,
 * never restarted and no part of the formation. The store keeps each one until its end is
 * known; the orchestrator adds the unfinished ones to the desired set (runtime/desired.ts)
 * and records their ends as the agents report them. An attached one gets a rendezvous session
 * (core/rendezvous.ts) whose one-time secret is in the answer's attach_url.
 */
import { type DynoCreateBody, dynoSizeOrDefault } from '@paas/shared';
import { invalid, PaasError } from '../errors.js';
import { listFormation } from '../store/formation.js';
import { createOneOff, finishOneOff } from '../store/one-offs.js';
import { currentRelease } from '../store/releases.js';
import type { AppRow, OneOffRow, ReleaseRow } from '../store/rows.js';
import type { CoreDeps } from './context.js';
import { resolveSize } from './formation.js';
import type { Actor } from './releases.js';

export interface OneOffStarted {
  oneOff: OneOffRow;
  release: ReleaseRow;
  /** The attach secret (attached ones only). */
  secret: string | null;
}

/**
 * The command to run: a first word that is one of the release's process types is replaced by
 * that type's command (`paas run worker`, and `worker ; echo …` as `heroku run -x` sends it),
 * as on Heroku. '' when that type runs the image's own CMD.
 */
export function resolveCommand(command: string, types: Record<string, string | null>): string {
  const m = /^\s*(\S+)(.*)$/s.exec(command);
  const [, first = '', rest = ''] = m ?? [];
  if (!Object.hasOwn(types, first)) return command.trim();
  const typeCommand = types[first];
  if (typeCommand === null || typeCommand === undefined) {
    if (rest.trim())
      throw invalid(`The ${first} process type runs the image's own command; it takes no arguments here.`);
    return '';
  }
  return `${typeCommand}${rest}`.trim();
}

export function runOneOff(
  core: Pick<CoreDeps, 'db' | 'log' | 'logs' | 'orchestrator' | 'rendezvous'>,
  app: AppRow,
  body: DynoCreateBody,
  actor: Actor,
  defaultTimeout: number,
): OneOffStarted {
  const release = currentRelease(core.db, app.id);
  if (!release?.image_id) {
    throw invalid(`${app.name} has no release to run yet: deploy it first (git push paas main).`);
  }
  const types = release.process_types;
  const type = body.type ?? 'run';
  if (type !== 'run' && !Object.hasOwn(types, type)) {
    throw invalid(
      `Unknown process type: ${type}. This app has: ${Object.keys(types).join(', ') || 'no process types'}.`,
    );
  }
  if (!core.orchestrator.canRun()) {
    throw new PaasError(
      'unavailable',
      'No agent is connected to run the process: start one (see README), then try again.',
    );
  }
  const command = resolveCommand(body.command, types);
  const env = body.env ?? {};
  const attach = body.attach === true;
  const size = body.size
    ? resolveSize(body.size)
    : dynoSizeOrDefault(listFormation(core.db, app.id).find((f) => f.type === (type === 'run' ? 'web' : type))?.size)
        .name;
  const appTimeout = Number(release.config.PAAS_RUN_TIMEOUT);
  const timeout = body.time_to_live ?? (Number.isInteger(appTimeout) && appTimeout > 0 ? appTimeout : defaultTimeout);
  const oneOff = createOneOff(core.db, {
    appId: app.id,
    releaseId: release.id,
    type: 'run',
    command,
    env,
    size,
    attach,
    tty: attach && body.force_no_tty !== true,
    timeout,
    userEmail: actor.email,
  });
  const shown = command || '(the image’s CMD)';
  core.logs.event(
    { id: app.id, name: app.name },
    'api',
    `Starting process with command \`${shown}\` by user ${actor.email}`,
  );
  core.log.info({ app: app.name, oneOff: oneOff.id, process: `run.${oneOff.number}`, attach }, 'one-off requested');
  const secret = attach
    ? core.rendezvous.open(oneOff.id, {
        tty: oneOff.tty,
        cols: positive(env.COLUMNS),
        rows: positive(env.LINES),
      })
    : null;
  core.orchestrator.poke('now');
  return { oneOff, release, secret };
}

/** A one-off whose session was abandoned (nobody attached in time): it is over. */
export function abandonOneOff(core: Pick<CoreDeps, 'db' | 'orchestrator'>, id: string): void {
  if (finishOneOff(core.db, id, null)) core.orchestrator.poke();
}

const positive = (value: string | undefined) => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 && n < 10_000 ? n : undefined;
};
