/**
 * The api process: config from env, store, Docker, git receiver, HTTP. Listens on PORT and
 * on SIGTERM stops taking requests, lets in-flight ones (pushes and their builds included)
 * finish within PAAS_SHUTDOWN_TIMEOUT, closes the store and exits 0.
 */
import path from 'node:path';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { Builder } from './core/builds.js';
import { DrainManager } from './core/drains.js';
import { ImageCollector } from './core/images.js';
import { KeyedMutex } from './core/locks.js';
import { LogIntake } from './core/log-intake.js';
import { LogRouter } from './core/logs.js';
import { Orchestrator } from './core/orchestrator.js';
import { DockerImageEngine } from './docker.js';
import { Pushes } from './git/pushes.js';
import { GitRepos } from './git/repos.js';
import { createLogger } from './logger.js';
import type { Presenter } from './present.js';
import { failInterruptedBuilds } from './store/builds.js';
import { openStore, platformId, SchemaMismatchError } from './store/db.js';
import { pruneCursors } from './store/log-intake.js';
import { accountId } from './store/settings.js';
import { ensureBootstrapToken } from './store/tokens.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    createLogger('info').fatal({ problems: err.problems }, err.message);
    process.exit(1);
  }
  const log = createLogger(config.LOG_LEVEL);

  let db: ReturnType<typeof openStore>;
  try {
    db = openStore(config.dataDir);
  } catch (err) {
    if (!(err instanceof SchemaMismatchError)) throw err;
    log.fatal(err.message);
    process.exit(1);
  }

  const email = `admin@${config.PAAS_DOMAIN}`;
  const { generated } = ensureBootstrapToken(db, email, config.PAAS_API_TOKEN);
  if (generated) {
    log.warn(
      { token: generated },
      'generated the admin API token (shown only this once): set PAAS_API_TOKEN to it, or run `paas login` with it',
    );
  }
  const interrupted = failInterruptedBuilds(db);
  if (interrupted) log.warn({ builds: interrupted }, 'marked builds interrupted by the last stop as failed');

  const routerPort = config.PAAS_ROUTER_PORT === 80 ? '' : `:${config.PAAS_ROUTER_PORT}`;
  const presenter: Presenter = {
    account: { id: accountId(db), email, name: null },
    webUrl: (app) => `http://${app}.${config.PAAS_DOMAIN}${routerPort}/`,
    gitUrl: (base, app) => `${base}/${app}.git`,
  };
  const logs = new LogRouter({ db, log });
  const intake = new LogIntake({ db, logs, log });
  const pruned = pruneCursors(db);
  if (pruned) log.info({ cursors: pruned }, 'forgot log positions of containers gone for a week');
  const drains = new DrainManager({ db, logs, log });
  drains.start();
  const docker = new DockerImageEngine(config.DOCKER_HOST);
  const images = new ImageCollector({
    db,
    docker,
    platformId: platformId(db),
    keepReleases: config.PAAS_KEEP_RELEASES,
    log: log.child({ component: 'images' }),
  });
  const repos = new GitRepos(path.join(config.dataDir, 'repos'));
  const orchestrator = new Orchestrator({
    db,
    log,
    platformId: platformId(db),
    agentTimeoutMs: config.PAAS_AGENT_TIMEOUT * 1000,
    defaultStopTimeout: config.PAAS_STOP_TIMEOUT,
    defaultBootTimeout: config.PAAS_BOOT_TIMEOUT,
    domain: config.PAAS_DOMAIN,
  });
  if (!config.PAAS_AGENT_TOKEN) log.warn('PAAS_AGENT_TOKEN is not set: no agent can connect, so nothing will run');
  const builder = new Builder({
    db,
    docker,
    repos,
    platformId: platformId(db),
    log,
    webUrl: presenter.webUrl,
    onRelease: () => {
      orchestrator.poke();
      images.collect();
    },
    logs,
    guard: (fn) => images.exclusive(fn),
  });
  const pushes = new Pushes({ builder, repos, locks: new KeyedMutex(), log });
  await pushes.listen();

  const app = buildApp({
    config,
    db,
    log,
    docker,
    images,
    repos,
    builder,
    pushes,
    presenter,
    orchestrator,
    logs,
    intake,
    drains,
  });

  closeWithGrace({ delay: config.PAAS_SHUTDOWN_TIMEOUT * 1000, logger: log }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'stopping after an error');
    else log.info({ signal }, 'stopping: finishing in-flight requests and builds');
    orchestrator.close();
    await app.close();
    await pushes.close();
    await images.close();
    drains.close();
    logs.close();
    db.close();
    log.info('stopped');
  });

  try {
    await docker.ping();
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'Docker is not reachable: /healthz answers 503 until it is');
  }
  await app.listen({ port: config.PORT, host: '0.0.0.0' });
  log.info({ platform: platformId(db), port: config.PORT }, 'api ready');
  // Whatever an earlier run left (an image in use then, a collection cut short) goes now.
  images.collect();
}

await main();
