/**
 * The `swarm` runtime's translation, pure: the desired set → one Swarm service per (app,
 * process type) of the current release, and what to do to the services that exist
 * (create, update, remove). Replicas are the formation's quantity; a release, config change,
 * rollback or restart changes the task template, which Swarm rolls out (start-first for web,
 * gated by a health check; stop-first for the others; a failed update rolls back).
 */
import { createHash } from 'node:crypto';
import {
  APP_CAPABILITIES,
  appOverlay,
  BACKOFF_CAP_MS,
  DEFAULT_DYNO_SIZE,
  type DesiredProcess,
  dynoSize,
  LABELS,
  LOG_MAX_FILES,
  LOG_MAX_SIZE,
  WEB_PORT,
} from '@paas/shared';
import type { ImageFacts } from '../../docker-image-facts.js';
import type { SwarmService, SwarmServiceSpec } from '../../docker-swarm.js';
import { taskCommand } from './swarm-command.js';

/** Labels only the swarm runtime writes. */
export const SWARM_LABELS = {
  /** On services and task containers: `swarm`, so an agent knows what it only observes. */
  runtime: 'paas.runtime',
  /** On services: the hash of the spec the platform wrote (an update only when it differs). */
  spec: 'paas.spec',
  /** On web task containers: PAAS_BOOT_TIMEOUT in seconds (the agent stops one past it: R10). */
  bootTimeout: 'paas.boot-timeout',
  /** On task containers: `1` when the process waits at the start gate (below) before it runs. */
  gated: 'paas.gated',
} as const;

export interface SwarmSpecOptions {
  platformId: string;
  /** The fewest CPUs a node has (nanoCPUs; 0 = unknown): a size's CPUs are capped at it. */
  maxNanoCpus: number;
  /**
   * Without a registry only the api's own engine has the images: its node id pins every task
   * there (a task on another node would fail with "No such image").
   */
  pinToNode?: string;
  /**
   * What each type's image is (key app id:type): its USER (none: the service runs as APP_USER,
   * as the agents run it), its ENTRYPOINT and CMD, and whether it has `setpriv`.
   */
  facts?: Map<string, ImageFacts>;
}

/** A service the platform wants: its identity (app id + type) and the spec to write. */
export interface WantedService {
  key: string;
  spec: SwarmServiceSpec;
  hash: string;
}

const NS = 1_000_000_000;

/** Swarm expands Go templates in env values; a literal `{{` in a config var must stay literal. */
export function escapeTemplate(value: string): string {
  return value.replaceAll('{{', '{{"{{"}}');
}

/** A service name: readable (app, type) and unique per platform, app and type; ≤ 63 characters. */
export function serviceName(platformId: string, appId: string, app: string, type: string): string {
  const tag = createHash('sha256').update(`${platformId}:${appId}:${type}`).digest('hex').slice(0, 10);
  return `${`${app}-${type}`.slice(0, 45)}-${tag}`;
}

/**
 * The web health check, run in the container by Swarm: with PAAS_HEALTHCHECK_PATH an HTTP GET
 * that must answer 2xx/3xx (curl, wget or node, whichever the image has); without one, a TCP
 * connect to $PORT (inside the container nothing else accepts it for the app), as cheap as the
 * image allows. An image with none of these tools passes, as a plain container would start.
 */
export function healthScript(path: string | null): string {
  const url = `"http://127.0.0.1:$PORT${path ?? '/'}"`;
  const node = `node -e "require('http').get(process.argv[1],(r)=>process.exit(r.statusCode<400?0:1)).on('error',()=>process.exit(1))" ${url}`;
  const http = `if command -v curl >/dev/null 2>&1; then curl -fsS -o /dev/null ${url}; elif command -v wget >/dev/null 2>&1; then wget -q -O /dev/null ${url}; elif command -v node >/dev/null 2>&1; then ${node}; fi`;
  if (path) return http;
  return `if command -v bash >/dev/null 2>&1; then exec bash -c 'exec 3<>/dev/tcp/127.0.0.1/$PORT'; else ${http}; fi`;
}

/** The sum of the platform's generation requests a type's processes carry (the newest). */
const newest = (values: string[]) => values.sort().at(-1) ?? '';

function specOf(group: DesiredProcess[], options: SwarmSpecOptions): SwarmServiceSpec {
  const [first] = group as [DesiredProcess, ...DesiredProcess[]];
  const web = first.type === 'web';
  const size = dynoSize(first.size ?? DEFAULT_DYNO_SIZE) ?? dynoSize(DEFAULT_DYNO_SIZE);
  const cpus = size?.cpus ?? 0.5;
  const nanoCpus =
    Math.round((options.maxNanoCpus > 0 ? Math.min(cpus * NS, options.maxNanoCpus) : cpus * NS) / 1e6) * 1e6;
  const labels = {
    [LABELS.platform]: options.platformId,
    [LABELS.app]: first.app,
    [LABELS.appId]: first.appId,
    [LABELS.type]: first.type,
    [LABELS.releaseId]: first.release.id,
    [LABELS.releaseVersion]: String(first.release.version),
    [SWARM_LABELS.runtime]: 'swarm',
  };
  const env = Object.entries({ ...first.env, TINI_KILL_PROCESS_GROUP: '1' }).map(([k, v]) =>
    // Each task is its own process: DYNO is web.<slot>, Swarm's template fills the slot in.
    k === 'DYNO' ? `DYNO=${first.type}.{{.Task.Slot}}` : `${k}=${escapeTemplate(v)}`,
  );
  const update = (order: 'start-first' | 'stop-first', failure: 'rollback' | 'pause') => ({
    Parallelism: 0,
    Delay: 0,
    FailureAction: failure,
    Monitor: 5 * NS,
    MaxFailureRatio: 0,
    Order: order,
  });
  const order = web ? 'start-first' : 'stop-first';
  // The image's ENTRYPOINT with the command (its own or the image's CMD), confined and behind
  // the start gate; an image not read runs as it is, ungated (Swarm's fixed delay).
  const command = taskCommand(first.command, options.facts?.get(`${first.appId}:${first.type}`));
  const gated = command.gated;
  const bootTimeout = first.bootTimeout ?? 60;
  return {
    Name: serviceName(options.platformId, first.appId, first.app, first.type),
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: first.image,
        ...command.container,
        Env: env.sort(),
        Labels: {
          ...labels,
          [LABELS.generation]: newest(group.map((p) => p.generation)),
          [LABELS.stopTimeout]: String(first.stopTimeout),
          [LABELS.command]: first.command ?? '',
          ...(web ? { [SWARM_LABELS.bootTimeout]: String(bootTimeout) } : {}),
          ...(gated ? { [SWARM_LABELS.gated]: '1' } : {}),
          [LABELS.size]: size?.name ?? DEFAULT_DYNO_SIZE,
        },
        Init: true,
        // Docker 20.10 (API 1.41) has no no-new-privileges for services (setpriv above); capabilities it has.
        CapabilityDrop: ['ALL'],
        CapabilityAdd: [...APP_CAPABILITIES],
        StopGracePeriod: first.stopTimeout * NS,
        Healthcheck: web
          ? {
              Test: ['CMD-SHELL', healthScript(first.healthCheckPath ?? null)],
              Interval: 2 * NS,
              Timeout: 2 * NS,
              Retries: 3,
              // The agent stops a task past its boot timeout counted from its gate's opening
              // (R10); Docker's own verdict is the fallback for a node without its agent.
              StartPeriod: (bootTimeout + (gated ? BACKOFF_CAP_MS / 1000 : 0)) * NS,
            }
          : { Test: ['NONE'] },
      },
      Resources: {
        Limits: {
          NanoCPUs: nanoCpus,
          MemoryBytes: (size?.memoryMb ?? 512) * 1024 * 1024,
          ...(size ? { Pids: size.pids } : {}),
        },
      },
      LogDriver: { Name: 'json-file', Options: { 'max-size': LOG_MAX_SIZE, 'max-file': LOG_MAX_FILES } },
      // At once: the gate waits out the back-off (a task without one: every 2 s).
      RestartPolicy: { Condition: 'any', Delay: gated ? 0 : 2 * NS, MaxAttempts: 0, Window: 0 },
      ForceUpdate: 0,
      // The app's own overlay (made before the service): its add-ons answer there by name, and
      // so do its types (`web`); no other app is on it.
      Networks: [{ Target: appOverlay(first.appId), Aliases: [first.type] }],
      ...(options.pinToNode ? { Placement: { Constraints: [`node.id==${options.pinToNode}`] } } : {}),
    },
    Mode: { Replicated: { Replicas: group.length } },
    UpdateConfig: update(order, 'rollback'),
    RollbackConfig: update(order, 'pause'),
    EndpointSpec: {
      // On the app's overlay its type's name answers with its tasks' addresses (DNS round
      // robin, as a name several containers share on a bridge), not a virtual IP: nothing is
      // balanced by IPVS (the router reaches tasks by their published ports), and a VIP
      // answered nothing on this machine's kernel.
      Mode: 'dnsrr',
      Ports: web ? [{ Protocol: 'tcp', TargetPort: WEB_PORT, PublishMode: 'host' }] : [],
    },
  };
}

/** The services the desired set needs: one per app and process type (one-offs are not services). */
export function wantedServices(wanted: DesiredProcess[], options: SwarmSpecOptions): WantedService[] {
  const groups = new Map<string, DesiredProcess[]>();
  for (const p of wanted) {
    if (p.oneOff) continue;
    const key = `${p.appId}:${p.type}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups].map(([key, group]) => {
    const spec = specOf(group, options);
    const hash = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16);
    return { key, hash, spec: { ...spec, Labels: { ...spec.Labels, [SWARM_LABELS.spec]: hash } } };
  });
}

export type ServiceAction =
  | { kind: 'create'; spec: SwarmServiceSpec }
  | { kind: 'update'; id: string; version: number; spec: SwarmServiceSpec }
  | { kind: 'scale'; id: string; version: number; replicas: number }
  | { kind: 'remove'; id: string; name: string };

/**
 * What to do to reach the wanted services from the existing ones (this platform's): create
 * the missing, update those whose spec (hash) or replicas differ, remove the rest (an app
 * destroyed, a type scaled to zero or gone from the release) and duplicates. Idempotent: the
 * existing services of a converged platform give no action. `failed` (key → spec hash) holds
 * updates Swarm rolled back: not tried again until the wanted spec changes (or the api restarts).
 */
export function serviceActions(
  wanted: WantedService[],
  existing: SwarmService[],
  failed: Map<string, string> = new Map(),
  /** Services left as they are this time (their image is not in the registry yet). */
  keep: Set<string> = new Set(),
): ServiceAction[] {
  const actions: ServiceAction[] = [];
  const byKey = new Map<string, SwarmService>();
  for (const s of existing) {
    const key = serviceKey(s);
    if (keep.has(key)) continue;
    const wantedHere = wanted.find((w) => w.key === key);
    if (!wantedHere || byKey.has(key) || s.name !== wantedHere.spec.Name) {
      actions.push({ kind: 'remove', id: s.id, name: s.name });
    } else {
      byKey.set(key, s);
    }
  }
  for (const w of wanted) {
    const s = byKey.get(w.key);
    if (!s) actions.push({ kind: 'create', spec: w.spec });
    else if (s.labels[SWARM_LABELS.spec] !== w.hash && failed.get(w.key) !== w.hash) {
      actions.push({ kind: 'update', id: s.id, version: s.version, spec: w.spec });
    } else if (s.replicas !== w.spec.Mode.Replicated.Replicas) {
      // A scale of a service whose last update was rolled back keeps the spec it runs.
      actions.push({ kind: 'scale', id: s.id, version: s.version, replicas: w.spec.Mode.Replicated.Replicas });
    }
  }
  return actions;
}

export const serviceKey = (s: SwarmService) => `${s.labels[LABELS.appId]}:${s.labels[LABELS.type]}`;

/**
 * The updates Swarm rolled back: a service in a rollback state whose spec is not the one the
 * platform last wrote to it (`written`, key → hash) failed with that one.
 */
export function rolledBack(existing: SwarmService[], written: Map<string, string>): Map<string, string> {
  const failed = new Map<string, string>();
  for (const s of existing) {
    const key = serviceKey(s);
    const hash = written.get(key);
    if (hash && s.updateState?.startsWith('rollback') && s.labels[SWARM_LABELS.spec] !== hash) failed.set(key, hash);
  }
  return failed;
}
