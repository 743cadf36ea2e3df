/** /healthz: whether the store and Docker answer (Docker within 2 s). */
import type { ImageEngine } from '../docker.js';
import type { Db } from '../store/db.js';

const DOCKER_TIMEOUT_MS = 2000;

export async function checkHealth(deps: {
  db: Db;
  docker: Pick<ImageEngine, 'ping'>;
}): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const checks: Record<string, string> = {};
  try {
    deps.db.prepare('SELECT 1').get();
    checks.store = 'ok';
  } catch (err) {
    checks.store = `error: ${(err as Error).message}`;
  }
  try {
    await Promise.race([
      deps.docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), DOCKER_TIMEOUT_MS).unref()),
    ]);
    checks.docker = 'ok';
  } catch (err) {
    checks.docker = `error: ${(err as Error).message}`;
  }
  return { ok: Object.values(checks).every((v) => v === 'ok'), checks };
}
