/**
 * From the desired routes and what the running HAProxy has, the Runtime API commands that make
 * it so: pure. Each app has a backend of fixed server slots (config.ts); an endpoint gets a free
 * slot (`set server … addr … port …`, then `state ready`), is drained (`state drain`), made
 * ready again, or leaves (`state maint`: the slot is free again); the maps (app → backend,
 * Host → app) get their entries added, changed and deleted. More backends or slots need a
 * reload (structureOf).
 */
import { type AppSpec, FREE } from './config.js';

export interface RunningServer {
  backend: string;
  /** The slot's name (`s3`). */
  id: string;
  host: string;
  port: number;
  /**
   * `show servers state`'s srv_admin_state, a bit field: maintenance 0x01|0x02|0x20|0x40, drain
   * 0x08|0x10. 0x04 only says the configuration had `disabled`: it stays after `state ready`.
   */
  admin: number;
}

export interface RunningState {
  servers: RunningServer[];
  /** host → app, as `show map` lists it. */
  map: Map<string, string>;
  /** app → backend. */
  apps: Map<string, string>;
}

/** The map files the commands change. */
export interface MapFiles {
  map: string;
  apps: string;
}

/** The entries of a map to add, change and delete, to make `now` into `want`. */
function mapCommands(file: string, want: Map<string, string>, now: Map<string, string>) {
  const set: string[] = [];
  const del: string[] = [];
  for (const [key, value] of want) {
    const had = now.get(key);
    if (had === undefined) set.push(`add map ${file} ${key} ${value}`);
    else if (had !== value) set.push(`set map ${file} ${key} ${value}`);
  }
  for (const key of now.keys()) if (!want.has(key)) del.push(`del map ${file} ${key}`);
  return { set, del };
}

const MAINT = 0x01 | 0x02 | 0x20 | 0x40;
const DRAIN = 0x08 | 0x10;

export function planCommands(
  apps: AppSpec[],
  assigned: Map<string, string>,
  running: RunningState,
  files: MapFiles,
): string[] {
  // Endpoints join first and leave last, so an app is never left without one between.
  const join: string[] = [];
  const ready: string[] = [];
  const leave: string[] = [];
  for (const a of apps) {
    const be = assigned.get(a.app);
    if (!be) continue;
    const slots = running.servers.filter((s) => s.backend === be);
    const key = (x: { host: string; port: number }) => `${x.host}:${x.port}`;
    const wanted = new Set(a.servers.map(key));
    const bySlotAddr = new Map<string, RunningServer>();
    for (const slot of slots) if (!bySlotAddr.has(key(slot))) bySlotAddr.set(key(slot), slot);
    const maint = (slot: RunningServer) => (slot.admin & MAINT) !== 0;
    // Free: in maintenance and pointing at nothing wanted (a slot just taken out may still be
    // finishing requests; it is taken last).
    const free = slots
      .filter((slot) => maint(slot) && !wanted.has(key(slot)))
      .sort((x, y) => Number(key(y) === key(FREE)) - Number(key(x) === key(FREE)));
    for (const s of a.servers) {
      const slot = bySlotAddr.get(key(s));
      const name = slot && `${be}/${slot.id}`;
      if (slot && s.drain) {
        if (!maint(slot) && (slot.admin & DRAIN) === 0) leave.push(`set server ${name} state drain`);
      } else if (slot) {
        if (maint(slot) || (slot.admin & DRAIN) !== 0) ready.push(`set server ${name} state ready`);
      } else if (!s.drain) {
        const taken = free.shift();
        if (!taken) continue; // no slot left: the configuration (more slots) is reloaded first
        join.push(
          `set server ${be}/${taken.id} addr ${s.host} port ${s.port}`,
          `set server ${be}/${taken.id} state ready`,
        );
      }
    }
    for (const slot of slots)
      if (!wanted.has(key(slot)) && !maint(slot)) leave.push(`set server ${be}/${slot.id} state maint`);
  }

  // A backend no app has any more: every slot free.
  const used = new Set(apps.flatMap((a) => assigned.get(a.app) ?? []));
  for (const slot of running.servers)
    if (!used.has(slot.backend) && (slot.admin & MAINT) === 0)
      leave.push(`set server ${slot.backend}/${slot.id} state maint`);

  const hosts = new Map<string, string>();
  for (const a of apps) for (const h of a.hosts) hosts.set(h.toLowerCase(), a.app);
  const backends = mapCommands(files.apps, assigned, running.apps);
  const names = mapCommands(files.map, hosts, running.map);
  // An app's backend is known before a host leads to it, and forgotten after.
  return [...join, ...ready, ...backends.set, ...names.set, ...names.del, ...backends.del, ...leave];
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
