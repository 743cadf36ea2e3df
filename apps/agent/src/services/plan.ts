/**
 * The add-on services' decisions, pure (as plan.ts is for processes): given the services this
 * agent should keep, their containers and what it remembers, say what to create, restart,
 * remove, join to or take off which app network, and probe. Rules: a service container is
 * never stopped or replaced because an app changed; one that exited by itself is a crash and
 * is started again (same container, same volume) after a back-off; one no longer desired is
 * removed with its volume, and only when the api sent a services list at all.
 */
import {
  appNetwork,
  backoffDelay,
  type DesiredService,
  LABELS,
  nextRestartCount,
  type ServiceKind,
  type ServiceStatus,
} from '@paas/shared';
import type { ContainerInfo, ServiceSpec } from '../runtime/runtime.js';

export interface ServiceHistory {
  restarts: number;
  backoffUntil: number;
  /** The exit already counted (its finishedAt), so one exit is one crash. */
  countedExit: string | null;
  state: ServiceStatus['state'];
  /** When it entered that state. */
  since: string;
}

export interface ServiceMemory {
  history: ReadonlyMap<string, ServiceHistory>;
  /** Containers that have answered their readiness probe. */
  ready: ReadonlySet<string>;
}

export interface ServicePlan {
  create: DesiredService[];
  restart: { container: ContainerInfo; service: DesiredService }[];
  remove: ContainerInfo[];
  /** Volumes of services no longer desired (their containers are in `remove`). */
  removeVolumes: string[];
  connect: { container: ContainerInfo; network: string; alias: string }[];
  disconnect: { container: ContainerInfo; network: string }[];
  probe: { container: ContainerInfo; service: DesiredService }[];
  history: Map<string, ServiceHistory>;
  statuses: ServiceStatus[];
  wakeAt: number | null;
}

/** Where each kind keeps its data inside the container. */
export const DATA_DIR: Record<ServiceKind, string> = {
  postgres: '/var/lib/postgresql/data',
  redis: '/data',
};

export const volumeName = (serviceId: string) => `paas-addon-${serviceId}`;

/** The command that exits 0 once the service accepts connections. */
export function readinessProbe(s: DesiredService): string[] {
  if (s.kind === 'postgres') {
    return [
      'pg_isready',
      '-q',
      '-h',
      '127.0.0.1',
      '-p',
      '5432',
      '-U',
      s.env.POSTGRES_USER ?? '',
      '-d',
      s.env.POSTGRES_DB ?? '',
    ];
  }
  return ['sh', '-c', 'redis-cli -a "$REDIS_PASSWORD" --no-auth-warning ping | grep -q PONG'];
}

/** The networks a service joins: the api's list, else each attached app's bridge. */
export const serviceNetworks = (s: DesiredService): string[] => s.networks ?? s.appIds.map(appNetwork);

export function serviceSpec(s: DesiredService, labels: Record<string, string>): ServiceSpec {
  return {
    name: `paas-addon-${s.name}`,
    image: s.image,
    env: s.env,
    labels: { ...labels, [LABELS.service]: s.id, [LABELS.serviceKind]: s.kind, [LABELS.app]: s.app },
    volume: { name: volumeName(s.id), target: DATA_DIR[s.kind] },
    networks: serviceNetworks(s),
    alias: s.name,
  };
}

export function planServices(
  desired: DesiredService[] | undefined,
  observed: ContainerInfo[],
  memory: ServiceMemory,
  now: number,
): ServicePlan {
  const out: ServicePlan = {
    create: [],
    restart: [],
    remove: [],
    removeVolumes: [],
    connect: [],
    disconnect: [],
    probe: [],
    history: new Map(),
    statuses: [],
    wakeAt: null,
  };
  const isoNow = new Date(now).toISOString();
  const byId = new Map<string, ContainerInfo>();
  for (const c of observed) {
    const id = c.labels[LABELS.service];
    if (!id) continue;
    const seen = byId.get(id);
    if (!seen) {
      byId.set(id, c);
      continue;
    }
    // Two containers of one service (never made by us on purpose): keep a running one.
    const keep = !seen.running && c.running ? c : seen;
    byId.set(id, keep);
    out.remove.push(keep === seen ? c : seen);
  }
  if (desired === undefined) {
    out.remove = [];
    return out; // told nothing about services: touch none (statuses stay unknown)
  }
  for (const s of desired) {
    const c = byId.get(s.id);
    byId.delete(s.id);
    let h: ServiceHistory = memory.history.get(s.id) ?? {
      restarts: 0,
      backoffUntil: 0,
      countedExit: null,
      state: 'starting',
      since: isoNow,
    };
    let state: ServiceStatus['state'];
    if (!c) {
      out.create.push(s);
      state = 'starting';
    } else if (!c.running) {
      const exit = c.finishedAt ?? isoNow;
      if (h.countedExit !== exit) {
        const ran = c.startedAt ? Math.max(0, Date.parse(exit) - Date.parse(c.startedAt)) : 0;
        const restarts = nextRestartCount(h.restarts, ran);
        h = { ...h, restarts, backoffUntil: now + backoffDelay(restarts), countedExit: exit };
      }
      if (h.backoffUntil <= now) out.restart.push({ container: c, service: s });
      else if (out.wakeAt === null || h.backoffUntil < out.wakeAt) out.wakeAt = h.backoffUntil;
      state = 'crashed';
    } else {
      const wanted = new Set(serviceNetworks(s));
      const has = new Set(c.networks ?? []);
      for (const n of wanted) if (!has.has(n)) out.connect.push({ container: c, network: n, alias: s.name });
      for (const n of has) if (!wanted.has(n)) out.disconnect.push({ container: c, network: n });
      if (memory.ready.has(c.id)) state = 'up';
      else {
        out.probe.push({ container: c, service: s });
        state = 'starting';
      }
    }
    if (h.state !== state) h = { ...h, state, since: isoNow };
    out.history.set(s.id, h);
    out.statuses.push({
      id: s.id,
      name: s.name,
      state,
      since: h.since,
      restarts: h.restarts,
      containerId: c?.id ?? null,
    });
  }
  for (const [id, c] of byId) {
    out.remove.push(c);
    out.removeVolumes.push(volumeName(id));
  }
  return out;
}

/**
 * App networks to remove, pure: this platform's `paas-app-*` networks nothing is on, that
 * neither a desired process nor a desired service of this agent needs. (Another agent on the
 * same host that needs one again makes it again before its next container.)
 */
export function staleNetworks(
  networks: { name: string; containers: number }[],
  wanted: Set<string>,
  services: DesiredService[],
): string[] {
  const keep = new Set([...wanted, ...services.flatMap(serviceNetworks)]);
  return networks
    .filter((n) => n.name.startsWith(appNetwork('')) && n.containers === 0 && !keep.has(n.name))
    .map((n) => n.name);
}
