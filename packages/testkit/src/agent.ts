/** A paas agent as its own process (as an operator runs it), with its HAProxy. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { collectOutput, freePort, NODE_TS, ROOT } from './env.js';
import { recordCmdline, recordProcess } from './sweep.js';

export interface Agent {
  id: string;
  /** Port of this agent's HTTP router on 127.0.0.1. */
  routerPort: number;
  process: ChildProcess;
  logs(): string;
  /** Stops the agent (SIGTERM by default; SIGKILL to simulate a crash). Containers and its HAProxy stay. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** The pid of the HAProxy master the agent runs (from its pid file), if any. */
  haproxyPid(): number | undefined;
  /** Stops the agent's HAProxy (it outlives the agent by design). */
  stopRouter(): Promise<void>;
}

export async function startAgent(options: {
  /** The api's URL (its host is the agent channel's). */
  url: string;
  agentPort: number;
  /** A file holding the agent's credential (`paas-admin agents:add`). */
  credentialFile: string;
  /** The CA the agent channel's certificate is signed by. */
  caFile: string;
  id: string;
  dataDir: string;
  env?: Record<string, string>;
  routerPort?: number;
}): Promise<Agent> {
  let output = '';
  const routerPort = options.routerPort ?? (await freePort());
  const haproxyDir = path.join(options.dataDir, 'haproxy');
  recordCmdline('haproxy', haproxyDir);
  const haproxyPid = () => {
    try {
      return Number(fs.readFileSync(path.join(haproxyDir, 'haproxy.pid'), 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  };
  const child = spawn(process.execPath, [...NODE_TS, path.join(ROOT, 'apps/agent/src/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PAAS_API_URL: options.url,
      PAAS_AGENT_PORT: String(options.agentPort),
      PAAS_AGENT_CREDENTIAL_FILE: options.credentialFile,
      PAAS_AGENT_CA_FILE: options.caFile,
      PAAS_AGENT_ID: options.id,
      PAAS_AGENT_DATA_DIR: options.dataDir,
      PAAS_ROUTER_PORT: String(routerPort),
      LOG_LEVEL: process.env.PAAS_TEST_AGENT_LOG_LEVEL ?? 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  recordProcess('agent', child.pid);
  collectOutput(child, (text) => {
    output += text;
  });
  const exited = once(child, 'exit');
  return {
    id: options.id,
    routerPort,
    process: child,
    logs: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
    haproxyPid,
    async stopRouter() {
      const pid = haproxyPid();
      if (!pid) return;
      try {
        if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(haproxyDir)) return;
        process.kill(pid, 'SIGTERM');
      } catch {
        return;
      }
      const deadline = Date.now() + 5000;
      const alive = () => {
        try {
          return !/^\S+ \(.*\) [ZX]/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
        } catch {
          return false;
        }
      };
      while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    },
  };
}
