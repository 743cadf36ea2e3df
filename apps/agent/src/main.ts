/**
 * The agent process: one per host. Connects to the api, says hello, converges its host's
 * containers on the desired set it is sent, and reports every process's state. With the api
 * away it keeps converging on the last desired set it saved.
 */
import type { ProcessStatus } from '@paas/shared';
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from './config.js';
import { Connection } from './connection.js';
import { createLogger } from './logger.js';
import { stateEvents } from './logs/events.js';
import { LogShipper } from './logs/shipper.js';
import { Reconciler } from './reconciler.js';
import { Router } from './router/server.js';
import { RouteTable } from './router/table.js';
import { DockerRuntime } from './runtime/docker.js';
import { loadState, saveState } from './state.js';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  createLogger('info').fatal({ problems: err.problems }, err.message);
  process.exit(1);
}
const log = createLogger(config.LOG_LEVEL).child({ agent: config.PAAS_AGENT_ID });
const runtime = new DockerRuntime(config.DOCKER_HOST);

const connection: Connection = new Connection({
  url: `${config.PAAS_API_URL.replace(/^http/, 'ws').replace(/\/+$/, '')}/agents/connect`,
  token: config.PAAS_AGENT_TOKEN,
  log,
  onOpen: () => {
    connection.send({
      type: 'hello',
      agentId: config.PAAS_AGENT_ID,
      hostname: config.hostname,
      capacity: config.PAAS_AGENT_CAPACITY,
    });
    connection.send({ type: 'status', processes: reconciler.currentStatus() });
  },
  onMessage: (message) => {
    switch (message.type) {
      case 'welcome':
        reconciler.setPlatform(message.platformId);
        break;
      case 'desired':
        reconciler.setDesired(message.processes);
        persist();
        break;
      case 'routes':
        table.replace(message.routes);
        persist();
        break;
      case 'stop':
        void reconciler.stopNow(message.keys);
        break;
    }
  },
});

const SEND_HIGH_WATER = 8 * 1024 * 1024;
const shipper = new LogShipper({
  runtime,
  log,
  send: (message) => connection.buffered() < SEND_HIGH_WATER && connection.send(message),
});
const lastStatus = new Map<string, ProcessStatus>();

const table = new RouteTable();
const router =
  config.PAAS_ROUTER_PORT > 0
    ? new Router({
        port: config.PAAS_ROUTER_PORT,
        table,
        log: log.child({ component: 'router' }),
        timeoutMs: config.PAAS_ROUTER_TIMEOUT * 1000,
        onLine: (app, line) => shipper.line(app, 'paas', 'router', line),
      })
    : undefined;

const reconciler = new Reconciler({
  runtime,
  agentId: config.PAAS_AGENT_ID,
  log,
  onStatus: (processes) => {
    const local = new Map<string, { host: string; port: number; name: string }[]>();
    for (const p of processes) {
      if (p.type !== 'web' || p.state !== 'up' || !p.endpoint) continue;
      local.set(p.app, [...(local.get(p.app) ?? []), { ...p.endpoint, name: p.name }]);
    }
    table.setLocal(local);
    connection.send({ type: 'status', processes });
    for (const e of stateEvents(lastStatus, processes)) shipper.line(e.app, 'paas', e.process, e.line);
    shipper.sync(
      processes.flatMap((p) =>
        p.containerId && !p.containerId.startsWith('failed-')
          ? [{ containerId: p.containerId, app: p.app, process: p.name, startedAt: p.startedAt ?? null }]
          : [],
      ),
    );
  },
  onEvent: (app, process, line) => shipper.line(app, 'paas', process, line),
  beforeStop: async (container) => {
    if (!router || !container.hostPort) return;
    const endpoint = { host: '127.0.0.1', port: container.hostPort };
    table.drain(endpoint);
    const deadline = Date.now() + 30_000;
    while (router.inflightTo(endpoint) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  },
});

/** What the api last said, kept so that with the api down after a restart the agent goes on. */
function persist(): void {
  const platformId = reconciler.labels?.['paas.platform'];
  if (platformId) saveState(config.dataDir, { platformId, desired: reconciler.desiredList(), routes: table.all() });
}

const saved = loadState(config.dataDir);
if (saved) {
  reconciler.setPlatform(saved.platformId);
  reconciler.setDesired(saved.desired);
  table.replace(saved.routes);
  log.info({ processes: saved.desired.length }, 'resuming the last desired set');
}
if (router) {
  const port = await router.listen();
  log.info({ port }, 'router listening');
}

const unwatch = runtime.watch({ 'paas.agent': config.PAAS_AGENT_ID }, () => void reconciler.trigger());
const tick = setInterval(() => void reconciler.trigger(), 2000);
// Heartbeat: the whole status, even unchanged, so the api knows this agent is alive.
const heartbeat = setInterval(() => connection.send({ type: 'status', processes: reconciler.currentStatus() }), 5000);
connection.start();
log.info({ api: config.PAAS_API_URL, dataDir: config.dataDir }, 'agent started');

// Stopping the agent leaves its processes running: a restarted agent adopts them.
closeWithGrace({ delay: 5000, logger: log }, async ({ signal }) => {
  log.info({ signal }, 'agent stopping; processes keep running');
  clearInterval(tick);
  clearInterval(heartbeat);
  unwatch();
  shipper.flush();
  shipper.close();
  connection.close();
  await router?.close();
});
