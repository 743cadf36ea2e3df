/**
 * What core returns → the public API's JSON shapes (Heroku Platform API v3, plus a few fields
 * of our own). Every answer's shape is made here; routes only pick which.
 */
import {
  type Account,
  type App,
  type Build,
  DEFAULT_DYNO_SIZE,
  type DomainResponse,
  type DrainResponse,
  type DynoResponse,
  type Formation,
  type LogEntryResponse,
  type Release,
} from '@paas/shared';
import type { Dyno } from './core/dynos.js';
import type { FormationView } from './core/formation.js';
import type { LogSession } from './core/log-sessions.js';
import type { AppRef } from './core/logs.js';
import type { OneOffStarted } from './core/one-offs.js';
import type { AppRow, BuildRow, DomainRow, DrainRow, FormationRow, LogEntry, ReleaseRow } from './store/rows.js';

export interface Presenter {
  account: Account;
  /** The app's own host name: <app>.<PAAS_DOMAIN>. */
  appHost(app: string): string;
  webUrl(app: string): string;
  gitUrl(base: string, app: string): string;
}

const STACK = { id: '00000000-0000-4000-8000-000000000001', name: 'container' };
const REGION = { id: '00000000-0000-4000-8000-000000000002', name: 'local' };
const GENERATION = { id: '00000000-0000-4000-8000-000000000003', name: 'cedar' };

export function presentApp(p: Presenter, base: string, app: AppRow, current?: ReleaseRow): App {
  return {
    id: app.id,
    name: app.name,
    owner: { id: p.account.id, email: p.account.email },
    organization: null,
    team: null,
    region: REGION,
    stack: STACK,
    build_stack: STACK,
    generation: GENERATION,
    space: null,
    acm: false,
    maintenance: false,
    create_status: 'complete',
    repo_size: null,
    slug_size: null,
    git_url: p.gitUrl(base, app.name),
    web_url: p.webUrl(app.name),
    buildpack_provided_description: null,
    internal_routing: null,
    archived_at: null,
    created_at: app.created_at,
    updated_at: app.updated_at,
    released_at: current?.created_at ?? null,
  };
}

/**
 * `outputUrl`: where its release command's output streams (null: it has none). Every
 * succeeded release with an image is eligible for rollback, the current one included (the
 * Heroku CLI's bare `rollback` takes the second eligible one, newest first).
 */
export function presentRelease(
  p: Presenter,
  app: AppRow,
  release: ReleaseRow,
  currentVersion: number | undefined,
  outputUrl: string | null,
): Release {
  return {
    id: release.id,
    version: release.version,
    description: release.description,
    status: release.status,
    current: release.version === currentVersion,
    eligible_for_rollback: release.image_id !== null && release.status === 'succeeded',
    app: { id: app.id, name: app.name },
    user: { id: p.account.id, email: release.user_email },
    slug: null,
    addon_plan_names: [],
    artifacts: [],
    output_stream_url: outputUrl,
    created_at: release.created_at,
    updated_at: release.created_at,
    image: release.image_id ? { id: release.image_id, tag: release.image_tag } : null,
    process_types: release.process_types,
    build: release.build_id ? { id: release.build_id } : null,
  };
}

export function presentBuild(p: Presenter, app: AppRow, build: BuildRow, release?: ReleaseRow, output?: string): Build {
  return {
    id: build.id,
    app: { id: app.id, name: app.name },
    status: build.status,
    source_blob: { url: null, version: build.commit_sha, version_description: null, checksum: null },
    buildpacks: null,
    stack: STACK.name,
    slug: null,
    release: release ? { id: release.id, version: release.version } : null,
    user: { id: p.account.id, email: build.user_email },
    output_stream_url: null,
    created_at: build.created_at,
    updated_at: build.updated_at,
    image: build.image_id && build.image_tag ? { id: build.image_id, tag: build.image_tag } : null,
    ...(output === undefined ? {} : { output }),
  };
}

export function presentFormation(app: AppRow, row: FormationRow, command: string | null): Formation {
  return {
    id: row.id,
    app: { id: app.id, name: app.name },
    type: row.type,
    quantity: row.quantity,
    size: row.size,
    command,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function presentFormationList(app: AppRow, formation: FormationView): Formation[] {
  return formation.rows.map((row) => presentFormation(app, row, formation.commands[row.type] ?? null));
}

const appRef = (app: AppRow) => ({ id: app.id, name: app.name });

/** The app's own domain, <app>.<PAAS_DOMAIN> (Heroku's kind `heroku`), first in the list. */
export function presentBuiltInDomain(p: Presenter, app: AppRow): DomainResponse {
  return {
    id: app.id,
    hostname: p.appHost(app.name),
    kind: 'heroku',
    cname: null,
    status: 'none',
    app: appRef(app),
    created_at: app.created_at,
    updated_at: app.created_at,
  };
}

export function presentDomain(p: Presenter, app: AppRow, d: DomainRow): DomainResponse {
  return {
    id: d.id,
    hostname: d.hostname,
    kind: 'custom',
    cname: p.appHost(app.name),
    status: 'succeeded',
    app: appRef(app),
    created_at: d.created_at,
    updated_at: d.created_at,
  };
}

export function presentDrain(app: AppRow, d: DrainRow): DrainResponse {
  return {
    id: d.id,
    url: d.url,
    token: d.token,
    addon: null,
    app: appRef(app),
    created_at: d.created_at,
    updated_at: d.updated_at,
  };
}

export function presentDyno(app: AppRow, d: Dyno): DynoResponse {
  return {
    id: d.containerId ?? d.key,
    name: d.name,
    type: d.type,
    state: d.state,
    command: d.command ?? '(image CMD)',
    size: d.size ?? DEFAULT_DYNO_SIZE,
    attach_url: null,
    app: appRef(app),
    release: d.release,
    created_at: d.since,
    updated_at: d.since,
    // paas
    agent: d.agent,
    exit_code: d.exitCode,
    restarts: d.restarts,
    endpoint: d.endpoint,
  };
}

/** A one-off just asked for (POST /apps/:app/dynos): starting, with its attach URL. */
export function presentOneOff(app: AppRow, started: OneOffStarted, attachUrl: string | null): DynoResponse {
  const { oneOff, release } = started;
  return {
    id: oneOff.id,
    name: `${oneOff.type}.${oneOff.number}`,
    type: oneOff.type,
    state: 'starting',
    command: oneOff.command || '(image CMD)',
    size: oneOff.size,
    attach_url: attachUrl,
    app: appRef(app),
    release: { id: release.id, version: release.version },
    created_at: oneOff.created_at,
    updated_at: oneOff.created_at,
    agent: '',
    exit_code: null,
    restarts: 0,
    endpoint: null,
  };
}

export function presentLogSession(session: LogSession, url: string) {
  return { id: session.id, logplex_url: url, created_at: session.createdAt, updated_at: session.createdAt };
}

/** One log line as NDJSON and the WebSocket stream carry it; `id` is what a reconnect resumes after. */
export function presentLogEntry(app: AppRef, e: LogEntry): LogEntryResponse {
  return { id: e.seq, app: app.name, ts: e.ts, source: e.source, process: e.process, line: e.line };
}
