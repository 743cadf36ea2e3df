/**
 * The agent process: one per host. Connects to the api, says hello, converges its host's
 * containers on the desired set it is sent, and reports every process's state. With the api
 * away it keeps converging on the last desired set it saved.
 */
import path from 'node:path';
import { LABELS } from '@paas/shared';
import closeWithGrace from 'close-with-grace';
import { AttachBridge } from './attach.js';
import { ConfigError, loadConfig } from './config.js';
import { Connection } from './connection.js';
import { createLogger } from './logger.js';
import { type Cursors, LogShipper, type LogTarget } from './logs/shipper.js';
import { Reconciler } from './reconciler.js';
import { RouterController } from './router/controller.js';
import { RouteTable } from './router/table.js';
import { DockerRuntime } from './runtime/docker.js';
import { keepFirewalls } from './runtime/firewalls.js';
import type { ContainerInfo } from './runtime/runtime.js';
import { ServiceKeeper } from './services/keeper.js';
import { loadCursors, loadState, saveCursors, saveState } from './state.js';
import { SwarmObserver } from './swarm/observer.js';
import { type StopTaskDeps, stopTasks } from './swarm/stop-task.js';

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

const apiWs = config.channelUrl;
const auth = { caFile: config.caFile, agentId: config.PAAS_AGENT_ID, secret: config.secret };
const saved = loadState(config.dataDir);
const connection: Connection = new Connection({
  url: `${apiWs}/agents/connect`,
  auth,
  log,
  onOpen: () => {
    connection.send({
      type: 'hello',
      agentId: config.PAAS_AGENT_ID,
      hostname: config.hostname,
      capacity: config.PAAS_AGENT_CAPACITY,
    });
    sendStatus();
    shipper.resend();
  },
  onMessage: (message) => {
    switch (message.type) {
      case 'welcome':
        reconciler.setPlatform(message.platformId);
        swarm.setPlatform(message.platformId);
        break;
      case 'desired':
        reconciler.setDesired(message.processes);
        services.setDesired(message.services);
        persist();
        break;
      case 'routes':
        table.replace(message.routes);
        persist();
        break;
      case 'certs':
        void router?.setCerts(message.certs).catch((err) => log.error({ err }, 'could not write the certificates'));
        break;
      case 'stop':
        void reconciler.stopNow(message.keys);
        if (message.tasks?.length) void stopTasks(taskStops, message.tasks);
        break;
      case 'logs-ack':
        shipper.ack(message.run, message.seq);
        break;
    }
  },
});

const SEND_HIGH_WATER = 8 * 1024 * 1024;
const shipper = new LogShipper({
  runtime,
  log,
  agentId: config.PAAS_AGENT_ID,
  cursors: loadCursors(config.dataDir),
  onCursors: (cursors) => saveCursorsSoon(cursors),
  send: (message) => connection.buffered() < SEND_HIGH_WATER && connection.send(message),
});
let cursorTimer: NodeJS.Timeout | undefined;
let cursorsToSave: Cursors | undefined;
function saveCursorsSoon(cursors: Cursors): void {
  cursorsToSave = cursors;
  cursorTimer ??= setTimeout(saveCursorsNow, 500);
}
function saveCursorsNow(): void {
  cursorTimer = undefined;
  if (!cursorsToSave) return;
  try {
    saveCursors(config.dataDir, cursorsToSave);
  } catch (err) {
    log.error({ err }, 'could not save log cursors');
  }
}

// The data path is HAProxy, run detached and adopted across agent restarts (router/controller.ts).
const router =
  config.PAAS_ROUTER_PORT > 0
    ? new RouterController({
        dir: path.join(config.dataDir, 'haproxy'),
        port: config.PAAS_ROUTER_PORT,
        tlsPort: config.PAAS_ROUTER_TLS_PORT,
        timeoutSeconds: config.PAAS_ROUTER_TIMEOUT,
        logLines: config.PAAS_ROUTER_LOG_LINES === 'on',
        log: log.child({ component: 'router' }),
        onLine: (app, line, ts) => shipper.line(app, 'paas', 'router', line, ts),
      })
    : undefined;
const table = router?.table ?? new RouteTable();

const logTarget = (c: ContainerInfo): LogTarget => ({
  containerId: c.id,
  app: c.labels[LABELS.app] ?? '',
  process: c.labels[LABELS.name] ?? '',
});

const reconciler = new Reconciler({
  runtime,
  agentId: config.PAAS_AGENT_ID,
  log,
  bridge: new AttachBridge({ runtime, log, apiUrl: apiWs, auth }),
  launched: saved?.launched,
  onLaunched: () => persist(),
  onStatus: (processes) => {
    const local = new Map<string, { host: string; port: number; name: string }[]>();
    for (const p of processes) {
      if (p.type !== 'web' || p.state !== 'up' || !p.endpoint) continue;
      local.set(p.app, [...(local.get(p.app) ?? []), { ...p.endpoint, name: p.name }]);
    }
    table.setLocal(local);
    sendStatus();
  },
  onPass: (processes) => {
    // An attached one-off's output is its client's (and, with a TTY, not Docker's framed log).
    ownTargets = processes.flatMap((p) =>
      p.containerId && !p.oneOff?.attach ? [{ containerId: p.containerId, app: p.app, process: p.name }] : [],
    );
    const containers = [...ownTargets, ...swarm.targets()];
    shipper.sync(containers);
    const ids = new Set(containers.map((c) => c.containerId));
    shipper.prune(ids);
    table.keepOnly(ids);
    void router?.update(); // retries what HAProxy refused (a server deleted while it still had connections)
  },
  onEvent: (app, process, line) => shipper.line(app, 'paas', process, line),
  beforeStop: async (container) => {
    if (!router || !container.hostPort) return;
    await router.drain(container.id, { host: '127.0.0.1', port: container.hostPort });
  },
  afterStop: (container) => table.release(container.id),
  // Everything a container printed is read before it is removed (a quick crash included).
  beforeRemove: async (container) => {
    if (container.labels[LABELS.oneOffMode] === 'attached') return;
    shipper.ensureFollowing(logTarget(container));
    await shipper.readToEnd(container.id);
  },
});

// The swarm runtime's task containers on this engine: Swarm runs them, the agent ships their
// logs and says their events (none with the agents runtime).
let ownTargets: LogTarget[] = [];
const swarm = new SwarmObserver({
  runtime,
  log: log.child({ component: 'swarm' }),
  onEvent: (e) => shipper.line(e.app, 'paas', e.process, e.line),
  onTargets: (targets) => {
    shipper.sync([...ownTargets, ...targets]);
    if (JSON.stringify(targets) !== lastTasks) sendStatus(); // the api learns which agent can stop them
    lastTasks = JSON.stringify(targets);
  },
  onGates: () => sendStatus(),
});
let lastTasks = '[]';

// `ps:stop web.2` on swarm: the api asks the agent whose engine runs the task.
const taskStops: StopTaskDeps = {
  runtime,
  log: log.child({ component: 'swarm' }),
  find: (id) => swarm.pass().then(() => swarm.process(id)),
  ...(router ? { drain: (id, endpoint) => router.drain(id, endpoint) } : {}),
  release: (id) => table.release(id),
};

const services = new ServiceKeeper({
  runtime,
  services: runtime.services,
  wantedNetworks: () => new Set(reconciler.desiredList().flatMap((d) => (d.network ? [d.network] : []))),
  log: log.child({ component: 'services' }),
  labels: () => reconciler.labels,
  onStatus: () => sendStatus(),
  onEvent: (app, line) => shipper.line(app, 'paas', 'addons', line),
});

function sendStatus(): void {
  const gates = swarm.closedGates();
  connection.send({
    type: 'status',
    processes: reconciler.currentStatus(),
    services: services.currentStatus(),
    tasks: swarm.targets().map((t) => ({ containerId: t.containerId, app: t.app, process: t.process })),
    ...(gates.length ? { gates } : {}),
  });
}

/** What the api last said, kept so that with the api down after a restart the agent goes on. */
function persist(): void {
  const platformId = reconciler.labels?.['paas.platform'];
  if (!platformId) return;
  const state = {
    platformId,
    desired: reconciler.desiredList(),
    routes: table.all(),
    launched: reconciler.launchedOneOffs(),
    services: services.desiredList(),
  };
  saveState(config.dataDir, state);
}

// Before any container starts: app networks reach no more of this host than the router.
const firewalls = await keepFirewalls(
  { routerPorts: [config.PAAS_ROUTER_PORT, config.PAAS_ROUTER_TLS_PORT], apiUrl: config.PAAS_API_URL },
  runtime,
  log,
);

if (saved) {
  reconciler.setPlatform(saved.platformId);
  swarm.setPlatform(saved.platformId);
  reconciler.setDesired(saved.desired);
  services.setDesired(saved.services);
  table.replace(saved.routes);
  log.info({ processes: saved.desired.length }, 'resuming the last desired set');
}
if (router) {
  try {
    await router.start();
  } catch (err) {
    log.fatal({ err }, 'could not start the router (HAProxy)');
    process.exit(1);
  }
}

const converge = () => {
  void reconciler.trigger();
  void services.trigger();
  void swarm.pass();
};
const unwatch = runtime.watch({ 'paas.agent': config.PAAS_AGENT_ID }, converge);
const unwatchSwarm = swarm.watch();
const tick = setInterval(converge, 2000);
// Heartbeat: the whole status, even unchanged, so the api knows this agent is alive.
const heartbeat = setInterval(sendStatus, 5000);
connection.start();
log.info({ api: config.channelUrl, dataDir: config.dataDir }, 'agent started');

// Stopping the agent leaves its processes running: a restarted agent adopts them.
closeWithGrace({ delay: 5000, logger: log }, async ({ signal }) => {
  log.info({ signal }, 'agent stopping; processes keep running');
  clearInterval(tick);
  clearInterval(heartbeat);
  firewalls.stop();
  unwatch();
  unwatchSwarm();
  swarm.close();
  reconciler.close();
  services.close();
  // Lines not yet acknowledged get a moment; container lines would be read again anyway.
  shipper.flush();
  const until = Date.now() + 2000;
  while (shipper.pending() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  shipper.close();
  clearTimeout(cursorTimer);
  saveCursorsNow();
  connection.close();
  await router?.close();
});
