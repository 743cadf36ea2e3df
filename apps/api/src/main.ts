/**
 * The api process: config from env, store, Docker, git receiver, HTTP. Listens on PORT and
 * on SIGTERM stops taking requests, lets in-flight ones (pushes and their builds included)
 * finish within PAAS_SHUTDOWN_TIMEOUT, closes the store and exits 0.
 */

import os from 'node:os';
import type tls from 'node:tls';
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { buildAgentChannel } from './agent-channel.js';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { closeDeps, createDeps } from './deps.js';
import { createLogger } from './logger.js';
import { startRendezvousTls } from './routes/rendezvous-tls.js';
import { failInterruptedBuilds } from './store/builds.js';
import { openStore, platformId, SchemaMismatchError } from './store/db.js';
import { pruneCursors } from './store/log-intake.js';
import { failInterruptedReleases } from './store/release-outputs.js';
import { ensureBootstrapToken } from './store/tokens.js';
import { ensureCa, keptServerCert, routerCert } from './tls.js';

/** This host's own addresses (not loopback): agents on other hosts reach the api by one. */
function hostAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .flatMap((i) => (i && !i.internal && !i.address.startsWith('fe80') ? [i.address] : []));
}

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

  // A release phase cut short (the api was killed while it ran) leaves its release pending,
  // and nothing would ever decide it: it failed, and the previous release stayed current.
  const cutShort = failInterruptedReleases(db, 'Release command interrupted: the api stopped before it finished');
  if (cutShort.length) {
    log.warn({ releases: cutShort.map((r) => r.id) }, 'marked releases whose release phase was cut short as failed');
  }

  const pruned = pruneCursors(db);
  if (pruned) log.info({ cursors: pruned }, 'forgot log positions of containers gone for a week');

  const deps = await createDeps(config, db, log);
  const { docker, images, orchestrator, oneOffs, phases } = deps;
  if (config.PAAS_AGENT_TOKEN !== undefined) {
    log.warn(
      'PAAS_AGENT_TOKEN is set but no longer used: each agent has its own credential (paas-admin agents:add NAME)',
    );
  }
  const app = buildApp(deps);
  let rendezvousServer: tls.Server | undefined;
  let agentChannel: FastifyInstance | undefined;

  closeWithGrace({ delay: config.PAAS_SHUTDOWN_TIMEOUT * 1000, logger: log }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'stopping after an error');
    else log.info({ signal }, 'stopping: finishing in-flight requests and builds');
    orchestrator.close();
    rendezvousServer?.close();
    // Release commands running now are stopped (their releases fail, saying why), so that
    // pushes waiting on them end now rather than at the shutdown timeout.
    const phasesClosed = phases.close();
    await app.close();
    await phasesClosed;
    await agentChannel?.close(); // after the pushes: their release commands run on the agents
    await closeDeps(deps);
    db.close();
    log.info('stopped');
  });

  try {
    await docker.ping();
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'Docker is not reachable: /healthz answers 503 until it is');
  }
  // The platform CA (made on the first start) signs the one-off rendezvous service's certificate.
  const ca = await ensureCa(config.dataDir, platformId(db));
  // It signs the routers' default certificate for their TLS port (*.PAAS_DOMAIN), sent to the agents.
  orchestrator.setDefaultCert(await routerCert(ca, config.PAAS_DOMAIN));
  if (config.PAAS_RENDEZVOUS_PORT > 0) {
    const hosts = [
      '127.0.0.1',
      '::1',
      'localhost',
      config.PAAS_DOMAIN,
      os.hostname(),
      config.PAAS_RENDEZVOUS_HOST ?? '',
    ];
    const { key, cert } = await keptServerCert(ca, 'paas-rendezvous', hosts);
    const rlog = log.child({ component: 'rendezvous' });
    rendezvousServer = await startRendezvousTls({
      rendezvous: deps.rendezvous,
      log: rlog,
      port: config.PAAS_RENDEZVOUS_PORT,
      key,
      cert,
    });
    rlog.info({ port: config.PAAS_RENDEZVOUS_PORT, ca: ca.certFile }, 'rendezvous listening (TLS)');
  }
  if (config.PAAS_AGENT_PORT > 0) {
    const names = ['127.0.0.1', '::1', 'localhost', os.hostname(), ...hostAddresses()];
    const hosts = [...names, ...(config.PAAS_AGENT_HOSTS?.split(',') ?? [])];
    agentChannel = buildAgentChannel(deps, await keptServerCert(ca, 'paas-agent-channel', hosts));
    await agentChannel.listen({ port: config.PAAS_AGENT_PORT, host: '0.0.0.0' });
    log.info({ port: config.PAAS_AGENT_PORT, ca: ca.certFile }, 'agent channel listening (TLS)');
  } else {
    log.warn('PAAS_AGENT_PORT is 0: no agent can connect, so nothing will run');
  }
  await app.listen({ port: config.PORT, host: '0.0.0.0' });
  log.info({ platform: platformId(db), port: config.PORT }, 'api ready');
  // Whatever an earlier run left (an image in use then, a collection cut short, the
  // container of a release command it was killed in the middle of) goes now.
  oneOffs
    .removeLeftovers()
    .then((n) => n && log.warn({ containers: n }, 'removed release command containers an earlier run left'))
    .catch((err: Error) => log.warn({ err: err.message }, 'could not look for leftover release command containers'));
  images.collect();
}

await main();
