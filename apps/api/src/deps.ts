/**
 * What the api is made of, in one place: `Deps` (what buildApp and the routes are given) and
 * `createDeps`, which builds them from the config and an open store. main.ts and the api tests
 * both use it, so a test's app is wired exactly as the real one. Routes import the type from
 * here, not from app.ts, so there is no cycle between the app and its routes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { AddonKeeper } from './core/addon-provisioning.js';
import type { AgentIdentity } from './core/agent-auth.js';
import { AgentOneOffRunner } from './core/agent-one-off.js';
import { Builder } from './core/builds.js';
import type { CoreDeps } from './core/context.js';
import { DockerOneOffRunner } from './core/docker-one-off.js';
import { DrainGuard } from './core/drain-guard.js';
import { DrainManager } from './core/drains.js';
import { ImageCollector } from './core/images.js';
import { KeyedMutex } from './core/locks.js';
import { LogIntake } from './core/log-intake.js';
import { LogSessions } from './core/log-sessions.js';
import { LogRouter } from './core/logs.js';
import { abandonOneOff } from './core/one-offs.js';
import { Orchestrator } from './core/orchestrator.js';
import { PgBackups } from './core/pg-backups.js';
import { ReleasePhases } from './core/release-phase.js';
import { ReleaseOutputTokens } from './core/release-tokens.js';
import type { Actor } from './core/releases.js';
import { Rendezvous } from './core/rendezvous.js';
import { AgentRegistry } from './core/runtime/agent-registry.js';
import { AgentsDriver } from './core/runtime/agents-driver.js';
import { SwarmDriver } from './core/runtime/swarm-driver.js';
import { type ContainerEngine, DockerImageEngine, type ImageEngine } from './docker.js';
import type { RegistryAuth } from './docker-swarm.js';
import { Pushes } from './git/pushes.js';
import { GitRepos } from './git/repos.js';
import type { Logger } from './logger.js';
import type { Presenter } from './present.js';
import { RegistryClient } from './registry-client.js';
import { type Db, platformId } from './store/db.js';
import { restartsOf } from './store/processes.js';
import { releaseOutputKey } from './store/release-outputs.js';
import { accountId } from './store/settings.js';

/** Core's parts (the use cases are given these) and the api's own. */
export interface Deps extends CoreDeps {
  config: Config;
  docker: ImageEngine & ContainerEngine;
  /** Runs release commands (today on the api's Docker engine; see core/docker-one-off.ts). */
  oneOffs: DockerOneOffRunner;
  pushes: Pushes;
  presenter: Presenter;
  orchestrator: Orchestrator;
  agents: AgentRegistry;
  intake: LogIntake;
  sessions: LogSessions;
  /** Finishes provisioning (and attach releases) as agents report add-on containers up. */
  addons: AddonKeeper;
  backups: PgBackups;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
    /** On the agent channel (agent-channel.ts): the agent whose credential the request proved. */
    agentIdentity: AgentIdentity;
  }
  interface FastifyContextConfig {
    /** false: no token (healthz); 'git': HTTP basic with a challenge, text errors. */
    auth?: false | 'git';
  }
}

/**
 * Builds every part of the api on an open (migrated) store, and starts what runs in the
 * background (drains, the push hook's loopback server). `closeDeps` stops them again.
 */
export async function createDeps(config: Config, db: Db, log: Logger): Promise<Deps> {
  const routerPort = config.PAAS_ROUTER_PORT === 80 ? '' : `:${config.PAAS_ROUTER_PORT}`;
  const presenter: Presenter = {
    account: { id: accountId(db), email: `admin@${config.PAAS_DOMAIN}`, name: null },
    appHost: (app) => `${app}.${config.PAAS_DOMAIN}`,
    webUrl: (app) => `http://${app}.${config.PAAS_DOMAIN}${routerPort}/`,
    gitUrl: (base, app) => `${base}/${app}.git`,
  };
  const logs = new LogRouter({ db, log });
  const intake = new LogIntake({ db, logs, log });
  const drains = new DrainManager({ db, logs, log, guard: new DrainGuard(config.PAAS_DRAIN_ALLOW) });
  drains.start();
  const docker = new DockerImageEngine(config.DOCKER_HOST);
  const registry = config.PAAS_REGISTRY ? registryAuth(config) : undefined;
  const images = new ImageCollector({
    db,
    docker,
    platformId: platformId(db),
    keepReleases: config.PAAS_KEEP_RELEASES,
    log: log.child({ component: 'images' }),
    // Under swarm, release images pushed to the registry go by the same rule as local ones.
    ...(registry && config.PAAS_RUNTIME === 'swarm'
      ? {
          registry: {
            client: new RegistryClient({
              address: registry.serveraddress,
              username: registry.username,
              password: registry.password,
              caFile: path.join(config.dataDir, 'tls', 'ca.crt'),
            }),
            forget: (tag: string) => swarmDriver?.forgetPushed(tag),
          },
        }
      : {}),
  });
  const repos = new GitRepos(path.join(config.dataDir, 'repos'));
  const agents = new AgentRegistry({
    db,
    log,
    platformId: platformId(db),
    timeoutMs: config.PAAS_AGENT_TIMEOUT * 1000,
  });
  const agentsDriver = new AgentsDriver({ db, log, agents });
  // PAAS_RUNTIME=swarm: Swarm services run the formation; one-offs and add-ons stay on agents.
  const swarmDriver =
    config.PAAS_RUNTIME === 'swarm'
      ? new SwarmDriver({
          swarm: docker.swarm(),
          overlays: docker.overlays(),
          images: docker.imageFacts(),
          log: log.child({ component: 'swarm' }),
          platformId: platformId(db),
          agents: agentsDriver,
          tasks: agents,
          restarts: (appId) => restartsOf(db, appId),
          gates: () => agents.swarmGates(),
          ...(registry ? { registry } : {}),
        })
      : undefined;
  const orchestrator = new Orchestrator({
    db,
    log,
    defaults: { stopTimeout: config.PAAS_STOP_TIMEOUT, bootTimeout: config.PAAS_BOOT_TIMEOUT },
    domain: config.PAAS_DOMAIN,
    agents,
    driver: swarmDriver ?? agentsDriver,
  });
  if (swarmDriver) swarmDriver.onChange = () => orchestrator.poke();
  const rendezvous = new Rendezvous({
    log: log.child({ component: 'rendezvous' }),
    onAbandoned: (id) => abandonOneOff({ db, orchestrator }, id),
  });
  const oneOffs = new DockerOneOffRunner({ docker, platformId: platformId(db), stopTimeout: config.PAAS_STOP_TIMEOUT });
  // Release commands run on the agents as one-offs (release.N); the api's own Docker runner
  // only clears what an earlier version of the api left (main.ts).
  const releaseRunner = new AgentOneOffRunner({
    db,
    log,
    rendezvous,
    orchestrator,
    stopTimeout: config.PAAS_STOP_TIMEOUT,
  });
  const phases = new ReleasePhases({
    db,
    log,
    logs,
    runner: releaseRunner,
    timeoutMs: config.PAAS_RELEASE_TIMEOUT * 1000,
  });
  const locks = new KeyedMutex();
  const builder = new Builder({
    db,
    phases,
    locks,
    docker,
    repos,
    platformId: platformId(db),
    log,
    logs,
    webUrl: presenter.webUrl,
    orchestrator,
    images,
    limits: {
      timeoutSeconds: config.PAAS_BUILD_TIMEOUT,
      memoryMb: config.PAAS_BUILD_MEMORY,
      cpus: config.PAAS_BUILD_CPUS,
      maxOutputBytes: config.PAAS_BUILD_MAX_OUTPUT,
    },
  });
  const pushes = new Pushes({ builder, repos, locks, log });
  await pushes.listen();
  const sessions = new LogSessions({ logs });
  const addons = new AddonKeeper(() => agents.reportedServices());
  agents.subscribe(() => addons.settle());
  const backups = new PgBackups({
    db,
    log: log.child({ component: 'pg-backups' }),
    exec: docker,
    platformId: platformId(db),
    dir: path.join(config.dataDir, 'backups'),
  });
  const deps: Deps = {
    addons,
    backups,
    config,
    db,
    log,
    docker,
    oneOffs,
    phases,
    locks,
    outputTokens: new ReleaseOutputTokens(releaseOutputKey(db)),
    images,
    repos,
    builder,
    pushes,
    presenter,
    orchestrator,
    agents,
    logs,
    intake,
    drains,
    sessions,
    rendezvous,
  };
  addons.bind(deps);
  return deps;
}

/** The registry's credentials: PAAS_REGISTRY_PASSWORD, or the file deploy/registry.sh wrote. */
function registryAuth(config: Config): RegistryAuth {
  const file = path.join(config.dataDir, 'registry', 'password');
  if (!config.PAAS_REGISTRY_PASSWORD && !fs.existsSync(file)) {
    throw new Error(
      `PAAS_REGISTRY is set but ${file} is missing: run deploy/registry.sh or set PAAS_REGISTRY_PASSWORD`,
    );
  }
  const password = config.PAAS_REGISTRY_PASSWORD ?? fs.readFileSync(file, 'utf8').trim();
  return { username: 'paas', password, serveraddress: config.PAAS_REGISTRY ?? '' };
}

/**
 * Stops what createDeps started, after the app has stopped taking requests: pushes in flight
 * and a collection under way finish first. The store stays open (its owner closes it).
 */
export async function closeDeps(deps: Deps): Promise<void> {
  await deps.phases.close();
  await deps.pushes.close();
  await deps.images.close();
  deps.sessions.close();
  deps.rendezvous.close();
  deps.drains.close();
  deps.logs.close();
}
