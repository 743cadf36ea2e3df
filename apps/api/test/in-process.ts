/**
 * The api as main.ts wires it, through buildApp() and app.inject(): createDeps on a migrated
 * SQLite store in a temp dir (the real log router, orchestrator, image collector and Docker
 * port), with no port and no agent. Made before a file's tests, closed after them.
 */
import { tempDir } from '@paas/testkit';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { deploy } from '../src/core/releases.js';
import { closeDeps, createDeps, type Deps } from '../src/deps.js';
import { createLogger } from '../src/logger.js';
import { findApp } from '../src/store/apps.js';
import { insertBuild } from '../src/store/builds.js';
import { migrate, openDb, storePath } from '../src/store/db.js';
import { ensureBootstrapToken } from '../src/store/tokens.js';

/** The bootstrap user's API token. */
export const TOKEN = 'in-process-test-token-0123456789';
export const ACTOR = { email: 'admin@localhost' };

export interface InProcessApi {
  app: FastifyInstance;
  deps: Deps;
  /** A request with the API token (unless `headers` say otherwise); a string payload goes as it is. */
  call(
    method: InjectOptions['method'],
    url: string,
    payload?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
}

/** The api for a file's tests, with `env` on top of its data dir, token and silent log. */
export function useInProcessApi(env: Record<string, string> = {}): InProcessApi {
  const api = {
    call(method, url, payload, headers = {}) {
      return api.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${TOKEN}`, ...headers },
        ...(payload === undefined ? {} : typeof payload === 'string' ? { payload } : { payload: payload as object }),
      });
    },
  } as InProcessApi;
  beforeAll(async () => {
    const dataDir = tempDir('paas-in-process-');
    const db = openDb(storePath(dataDir));
    migrate(db);
    const config = parseConfig({ PAAS_DATA_DIR: dataDir, PAAS_API_TOKEN: TOKEN, LOG_LEVEL: 'silent', ...env });
    ensureBootstrapToken(db, ACTOR.email, TOKEN);
    api.deps = await createDeps(config, db, createLogger('silent'));
    api.app = buildApp(api.deps);
    await api.app.ready();
  });
  afterAll(async () => {
    api.deps.orchestrator.close();
    await api.app.close();
    await closeDeps(api.deps);
    api.deps.db.close();
  });
  return api;
}

/** The answer is the error `id` with `status` and `message`. */
export function expectError(res: LightMyRequestResponse, status: number, id: string, message: string) {
  expect({ status: res.statusCode, body: res.json() }).toEqual({ status, body: { id, message } });
}

/** Deploys `name` with web and worker, seeded in the store (building needs Docker). */
export function seedDeploy(deps: Deps, name: string): void {
  const app = findApp(deps.db, name);
  if (!app) throw new Error(`no app ${name}`);
  const build = insertBuild(deps.db, { appId: app.id, commit: 'a'.repeat(40), userEmail: ACTOR.email });
  deploy(
    deps.db,
    app,
    {
      image: { id: `sha256:${'b'.repeat(64)}`, tag: `paas/${name}:aaaaaaaaaaaa` },
      processTypes: { web: 'node server.js', worker: 'node worker.js' },
      commit: 'a'.repeat(40),
      buildId: build.id,
    },
    ACTOR,
  );
}
