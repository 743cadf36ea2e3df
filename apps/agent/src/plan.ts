/**
 * The reconciler's decisions, pure (as a Kubernetes controller's sync is written): given what
 * should run, the containers Docker has, and what the agent remembers (crash history, which
 * web processes answered, which containers it is stopping), say what to start, stop and remove,
 * how the crash history moves, and each process's state. `reconciler.ts` observes and acts.
 *
 * Rules: start what is missing (unless in crash back-off); replace a process of another
 * release, restart generation or dyno size (a container made before sizes, with no size
 * label, is replaced too: it has no limits) — web start-first (the old one serves until the new one is
 * up), other types stop-first; stop duplicates and what is no longer desired; remove exited
 * containers, counting an exit the agent did not cause as a crash; stop a web process that has
 * not answered within its boot timeout (R10), which counts as a crash too.
 */
import {
  backoffDelay,
  type DesiredProcess,
  dynoSizeOrDefault,
  LABELS,
  nextRestartCount,
  type ProcessStatus,
} from '@paas/shared';
import { type OneOffEnd, type OneOffMemory, planOneOff } from './plan-one-off.js';
import type { ContainerInfo } from './runtime/runtime.js';

/** What the agent remembers of one process (by key) across containers: its crashes. */
export interface CrashHistory {
  restarts: number;
  /** No new container before this time (ms since the epoch). */
  backoffUntil: number;
  exitCode: number | null;
  crashedAt: string | null;
}

export interface AgentMemory {
  history: ReadonlyMap<string, CrashHistory>;
  /** Web containers seen answering on their port, and since when (ISO). */
  upSince: ReadonlyMap<string, string>;
  /** Containers being stopped right now. */
  stopping: ReadonlySet<string>;
  /** Containers whose exit the agent caused (a stop, a replacement): not crashes. */
  stoppedByUs: ReadonlySet<string>;
  /** One-offs (plan-one-off.ts): started, ended, attached to their client. */
  oneOffs?: Omit<OneOffMemory, 'stopping'>;
}

export type StopReason = 'extra' | 'duplicate' | 'replaced' | 'boot-timeout' | 'timeout' | 'detached';

export interface Exit {
  process: DesiredProcess;
  container: ContainerInfo;
  /** It exited by itself (not stopped by the agent). */
  crashed: boolean;
  /** A one-off's end (never a crash). */
  oneOff?: OneOffEnd;
}

export interface Plan {
  start: DesiredProcess[];
  stop: { container: ContainerInfo; reason: StopReason; process?: DesiredProcess }[];
  /** Exited containers to delete. */
  remove: ContainerInfo[];
  /** Exits seen in this pass (each container once: it is removed in the same pass). */
  exits: Exit[];
  /** Web containers that have not answered yet: probe them. */
  probe: { container: ContainerInfo; process: DesiredProcess }[];
  /** The crash history after this pass (keys no longer desired are gone). */
  history: Map<string, CrashHistory>;
  statuses: ProcessStatus[];
  /** The ends of the desired one-offs known after this pass, by key. */
  finished: Map<string, OneOffEnd>;
  /** When a back-off ends or a boot deadline passes: plan again then (ms since the epoch). */
  wakeAt: number | null;
}

const NO_CRASHES: CrashHistory = { restarts: 0, backoffUntil: 0, exitCode: null, crashedAt: null };

/** The history after a crash of a process that ran for `ranForMs`. Pure. */
export function recordCrash(
  before: CrashHistory | undefined,
  crash: { exitCode: number | null; at: string; ranForMs: number },
  now: number,
): CrashHistory {
  const restarts = nextRestartCount(before?.restarts ?? 0, crash.ranForMs);
  return { restarts, backoffUntil: now + backoffDelay(restarts), exitCode: crash.exitCode, crashedAt: crash.at };
}

const ranFor = (c: ContainerInfo) =>
  c.startedAt && c.finishedAt ? Math.max(0, Date.parse(c.finishedAt) - Date.parse(c.startedAt)) : 0;

export function plan(desired: DesiredProcess[], observed: ContainerInfo[], memory: AgentMemory, now: number): Plan {
  const out: Plan = {
    start: [],
    stop: [],
    remove: [],
    exits: [],
    probe: [],
    history: new Map(),
    statuses: [],
    finished: new Map(),
    wakeAt: null,
  };
  const wake = (at: number) => {
    if (at > now && (out.wakeAt === null || at < out.wakeAt)) out.wakeAt = at;
  };
  const byKey = new Map<string, ContainerInfo[]>();
  for (const c of observed) {
    const key = c.labels[LABELS.key] ?? '';
    byKey.set(key, [...(byKey.get(key) ?? []), c]);
  }
  const isoNow = new Date(now).toISOString();

  const oneOffMemory: OneOffMemory = {
    launched: memory.oneOffs?.launched ?? new Set(),
    finished: memory.oneOffs?.finished ?? new Map(),
    attached: memory.oneOffs?.attached ?? new Set(),
    stopping: memory.stopping,
  };
  for (const d of desired) {
    const mine = byKey.get(d.key) ?? [];
    byKey.delete(d.key);
    if (d.oneOff) {
      const one = planOneOff(d, mine, oneOffMemory, now, (c, state) => statusOf(c, state, memory, d), {
        ...base(d),
        ...empty,
        state: 'starting',
        since: isoNow,
        restarts: 0,
      });
      if (one.start) out.start.push(d);
      for (const s of one.stop) out.stop.push({ ...s, process: d });
      out.remove.push(...one.remove);
      for (const e of one.ended) out.exits.push({ process: d, container: e.container, crashed: false, oneOff: e.end });
      if (one.finished) out.finished.set(d.key, one.finished);
      out.statuses.push(one.status);
      if (one.wakeAt !== null) wake(one.wakeAt);
      continue;
    }
    let history = memory.history.get(d.key) ?? NO_CRASHES;
    const size = dynoSizeOrDefault(d.size).name;
    const isCurrent = (c: ContainerInfo) =>
      c.labels[LABELS.releaseId] === d.release.id &&
      c.labels[LABELS.generation] === d.generation &&
      c.labels[LABELS.size] === size;
    const current = mine.filter(isCurrent);
    const old = mine.filter((c) => !isCurrent(c));

    let live: ContainerInfo | undefined;
    for (const c of current) {
      if (memory.stopping.has(c.id)) continue;
      if (c.running && !live) live = c;
      else if (c.running) out.stop.push({ container: c, reason: 'duplicate', process: d });
      else {
        const crashed = !memory.stoppedByUs.has(c.id);
        if (crashed) {
          history = recordCrash(
            history,
            { exitCode: c.exitCode, at: c.finishedAt ?? isoNow, ranForMs: ranFor(c) },
            now,
          );
        }
        out.exits.push({ process: d, container: c, crashed });
        out.remove.push(c);
      }
    }

    const isWeb = d.type === 'web';
    // A web process that never answered within its boot timeout is stopped, as a crash (R10).
    if (live && isWeb && !memory.upSince.has(live.id)) {
      const started = live.startedAt ? Date.parse(live.startedAt) : now;
      const deadline = started + (d.bootTimeout ?? 60) * 1000;
      if (now >= deadline) {
        history = recordCrash(history, { exitCode: null, at: isoNow, ranForMs: now - started }, now);
        out.stop.push({ container: live, reason: 'boot-timeout', process: d });
        live = undefined;
      } else {
        wake(deadline);
        if (live.hostPort) out.probe.push({ container: live, process: d });
      }
    }

    const oldRunning = old.filter((c) => c.running);
    const mayStart = isWeb || oldRunning.length === 0; // others: stop-first
    const willStart = !live && mayStart && now >= history.backoffUntil;
    if (willStart) out.start.push(d);
    else if (!live) wake(history.backoffUntil);
    const liveUp = live !== undefined && (!isWeb || memory.upSince.has(live.id));

    for (const c of old) {
      if (memory.stopping.has(c.id)) continue;
      if (!c.running) out.remove.push(c);
      else if (!isWeb || liveUp) out.stop.push({ container: c, reason: 'replaced', process: d });
    }

    // An old process keeps serving until its replacement is up: it is `up` until stopped.
    const stoppingNow = new Set(out.stop.map((s) => s.container.id));
    for (const c of oldRunning) {
      const state = memory.stopping.has(c.id) || stoppingNow.has(c.id) ? 'stopping' : 'up';
      out.statuses.push(statusOf(c, state, memory, d));
    }
    if (live) {
      out.statuses.push(statusOf(live, liveUp ? 'up' : 'starting', memory, d, history));
    } else if (willStart) {
      out.statuses.push({ ...base(d), ...empty, state: 'starting', since: isoNow, restarts: history.restarts });
    } else if (history.crashedAt) {
      out.statuses.push({
        ...base(d),
        ...empty,
        state: 'crashed',
        since: history.crashedAt,
        exitCode: history.exitCode,
        restarts: history.restarts,
      });
    }
    if (history !== NO_CRASHES) out.history.set(d.key, history);
  }

  for (const rest of byKey.values()) {
    for (const c of rest) {
      if (c.running) {
        if (!memory.stopping.has(c.id)) out.stop.push({ container: c, reason: 'extra' });
        out.statuses.push(statusOf(c, 'stopping', memory));
      } else if (!memory.stopping.has(c.id)) {
        out.remove.push(c);
      }
    }
  }
  return out;
}

const empty = { exitCode: null, containerId: null, endpoint: null } as const;

function base(d: DesiredProcess) {
  return {
    key: d.key,
    app: d.app,
    appId: d.appId,
    type: d.type,
    index: d.index,
    name: d.name,
    release: d.release,
    generation: d.generation,
    command: d.command,
    ...(d.oneOff ? { oneOff: { id: d.oneOff.id, attach: d.oneOff.attach } } : {}),
    size: dynoSizeOrDefault(d.size).name,
  };
}

function statusOf(
  c: ContainerInfo,
  state: ProcessStatus['state'],
  memory: AgentMemory,
  d?: DesiredProcess,
  history?: CrashHistory,
): ProcessStatus {
  const l = c.labels;
  return {
    key: l[LABELS.key] ?? '',
    app: l[LABELS.app] ?? '',
    appId: l[LABELS.appId] ?? '',
    type: l[LABELS.type] ?? '',
    index: Number(l[LABELS.index] ?? 0),
    name: l[LABELS.name] ?? '',
    release: { id: l[LABELS.releaseId] ?? '', version: Number(l[LABELS.releaseVersion] ?? 0) },
    generation: l[LABELS.generation] ?? '',
    command: d?.command ?? (l[LABELS.command] || null),
    state,
    since: (state === 'up' ? memory.upSince.get(c.id) : undefined) ?? c.startedAt ?? new Date().toISOString(),
    exitCode: null,
    restarts: history?.restarts ?? 0,
    containerId: c.id,
    startedAt: c.startedAt,
    endpoint: c.hostPort ? { host: '127.0.0.1', port: c.hostPort } : null,
    ...(d?.oneOff ? { oneOff: { id: d.oneOff.id, attach: d.oneOff.attach } } : {}),
    ...(l[LABELS.size] ? { size: l[LABELS.size] } : {}),
  };
}
