/**
 * From the desired routes and what the running HAProxy has, the Runtime API commands that make
 * it so: pure. Servers are added (they start in maintenance, so each is then made ready),
 * drained, made ready again or put in maintenance and deleted; Host → app entries of the map
 * are added, changed and deleted. Backends (one per app) are not made here: a new one needs a
 * reload (config.ts, structureOf).
 */
import { type AppSpec, backendOf } from './config.js';

export interface RunningServer {
  backend: string;
  id: string;
  host: string;
  port: number;
  /** `show servers state`'s srv_admin_state: a bit field (maintenance 0x01|0x02|0x04|0x20|0x40, drain 0x08|0x10). */
  admin: number;
}

export interface RunningState {
  servers: RunningServer[];
  /** host → app, as `show map` lists it. */
  map: Map<string, string>;
}

const MAINT = 0x01 | 0x02 | 0x04 | 0x20 | 0x40;
const DRAIN = 0x08 | 0x10;

export function planCommands(apps: AppSpec[], running: RunningState, mapFile: string): string[] {
  // New servers first and taking servers out last, so an app is never left without one between.
  const add: string[] = [];
  const ready: string[] = [];
  const out: string[] = [];
  const wanted = new Map<string, { host: string; port: number; drain: boolean }>();
  for (const a of apps) for (const s of a.servers) wanted.set(`${backendOf(a.app)}/${s.id}`, s);
  const present = new Set<string>();
  for (const s of running.servers) {
    const name = `${s.backend}/${s.id}`;
    const want = wanted.get(name);
    const maint = (s.admin & MAINT) !== 0;
    const draining = (s.admin & DRAIN) !== 0;
    if (!want || want.host !== s.host || want.port !== s.port) {
      if (!maint) out.push(`set server ${name} state maint`);
      out.push(`del server ${name}`);
      continue; // a moved server is deleted, then added again
    }
    present.add(name);
    if (want.drain) {
      if (!maint && !draining) out.push(`set server ${name} state drain`);
    } else if (maint || draining) {
      ready.push(`set server ${name} state ready`);
    }
  }
  for (const [name, s] of wanted) {
    if (present.has(name) || s.drain) continue;
    add.push(`add server ${name} ${s.host}:${s.port}`, `set server ${name} state ready`);
  }

  const map: string[] = [];
  const hosts = new Map<string, string>();
  for (const a of apps) for (const h of a.hosts) hosts.set(h.toLowerCase(), a.app);
  for (const [host, app] of hosts) {
    const now = running.map.get(host);
    if (now === undefined) map.push(`add map ${mapFile} ${host} ${app}`);
    else if (now !== app) map.push(`set map ${mapFile} ${host} ${app}`);
  }
  for (const host of running.map.keys()) if (!hosts.has(host)) map.push(`del map ${mapFile} ${host}`);
  return [...add, ...ready, ...map, ...out];
}

/** `show servers state` (format 1) → the servers. */
export function parseServersState(text: string): RunningServer[] {
  const servers: RunningServer[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#') || /^\d+$/.test(line.trim())) continue;
    const f = line.split(' ');
    if (f.length < 19) continue;
    servers.push({
      backend: f[1] as string,
      id: f[3] as string,
      host: f[4] as string,
      admin: Number(f[6]),
      port: Number(f[18]),
    });
  }
  return servers;
}

/** `show map <file>` → host → app (lines are `<ref> <key> <value>`). */
export function parseMap(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length === 3 && f[0]?.startsWith('0x')) map.set(f[1] as string, f[2] as string);
  }
  return map;
}

/** `show stat` CSV → current sessions per `backend/server`. */
export function parseSessions(csv: string): Map<string, number> {
  const lines = csv.split('\n').filter(Boolean);
  const header = (lines.shift() ?? '').replace(/^# /, '').split(',');
  const px = header.indexOf('pxname');
  const sv = header.indexOf('svname');
  const scur = header.indexOf('scur');
  const sessions = new Map<string, number>();
  for (const line of lines) {
    const f = line.split(',');
    sessions.set(`${f[px]}/${f[sv]}`, Number(f[scur]) || 0);
  }
  return sessions;
}

/** `show proc` on the master socket → the master's pid and the current worker's. */
export function parseProc(text: string): { master?: number; worker?: number; failedReloads: number } {
  const master = /^(\d+)\s+master\s+\d+\s+\[failed: (\d+)\]/m.exec(text);
  const worker = /^# workers\n(\d+)\s+worker/m.exec(text);
  return {
    master: master ? Number(master[1]) : undefined,
    worker: worker ? Number(worker[1]) : undefined,
    failedReloads: master ? Number(master[2]) : 0,
  };
}
