/**
 * The agent process: one per host. Connects to the api, says hello, converges its host's
 * containers on the desired set it is sent, and reports every process's state. With the api
 * away it keeps converging on the last desired set it saved.
 */
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from './config.js';
import { Connection } from './connection.js';
import { createLogger } from './logger.js';
import { Reconciler } from './reconciler.js';
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
        if (reconciler.labels) {
          saveState(config.dataDir, {
            platformId: reconciler.labels['paas.platform'] ?? '',
            desired: message.processes,
          });
        }
        break;
      case 'stop':
        void reconciler.stopNow(message.keys);
        break;
    }
  },
});

const reconciler = new Reconciler({
  runtime,
  agentId: config.PAAS_AGENT_ID,
  log,
  onStatus: (processes) => connection.send({ type: 'status', processes }),
});

const saved = loadState(config.dataDir);
if (saved) {
  reconciler.setPlatform(saved.platformId);
  reconciler.setDesired(saved.desired);
  log.info({ processes: saved.desired.length }, 'resuming the last desired set');
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
  connection.close();
});
