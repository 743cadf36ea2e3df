/**
 * The plan for one-off processes (`paas run`), pure; plan.ts calls it for each desired
 * one-off. A one-off is started once and never again (not after it exits, not after an agent
 * restart: `launched` is kept on disk), is not a crash when it exits, and ends:
 * - by itself: its exit is recorded (`finished`) and its container removed;
 * - past its run timeout (PAAS_RUN_TIMEOUT, from its start): stopped (`timeout`);
 * - an attached one whose link to its client is gone (`attached` no longer holds its
 *   container: the client left, the api went away, or the agent restarted): stopped
 *   (`detached`), or removed if it never started. An attached one that exited stays until
 *   its link has closed (its status is sent on it first).
 * It stays `down` with its exit code in the statuses until the api drops it from the set.
 */
import { type DesiredProcess, LABELS, type ProcessStatus } from '@paas/shared';
import type { ContainerInfo } from './runtime/runtime.js';

export interface OneOffEnd {
  exitCode: number | null;
  at: string;
}

export interface OneOffMemory {
  /** One-off keys this agent has started (or tried to): never started again. */
  launched: ReadonlySet<string>;
  /** One-offs that ended, by key, with their exit status. */
  finished: ReadonlyMap<string, OneOffEnd>;
  /** Containers of attached one-offs whose link to the api is open. */
  attached: ReadonlySet<string>;
  stopping: ReadonlySet<string>;
}

export type OneOffStopReason = 'timeout' | 'detached';

export interface OneOffPlan {
  start: boolean;
  stop: { container: ContainerInfo; reason: OneOffStopReason }[];
  remove: ContainerInfo[];
  /** Containers that ended in this pass (exited, or never started and given up). */
  ended: { container: ContainerInfo; end: OneOffEnd }[];
  /** Its end, if known after this pass. */
  finished: OneOffEnd | undefined;
  status: ProcessStatus;
  wakeAt: number | null;
}

export function planOneOff(
  d: DesiredProcess,
  mine: ContainerInfo[],
  memory: OneOffMemory,
  now: number,
  statusOf: (c: ContainerInfo, state: ProcessStatus['state']) => ProcessStatus,
  base: ProcessStatus,
): OneOffPlan {
  const isoNow = new Date(now).toISOString();
  const timeoutMs = (d.oneOff?.timeout ?? 86_400) * 1000;
  const out: OneOffPlan = {
    start: false,
    stop: [],
    remove: [],
    ended: [],
    finished: memory.finished.get(d.key),
    status: base,
    wakeAt: null,
  };
  let live: ContainerInfo | undefined;
  let waiting: ContainerInfo | undefined;
  for (const c of mine) {
    if (memory.stopping.has(c.id)) {
      live ??= c;
      continue;
    }
    const attachedMode = c.labels[LABELS.oneOffMode] === 'attached';
    if (c.running) {
      const deadline = (c.startedAt ? Date.parse(c.startedAt) : now) + timeoutMs;
      if (attachedMode && !memory.attached.has(c.id)) out.stop.push({ container: c, reason: 'detached' });
      else if (now >= deadline) out.stop.push({ container: c, reason: 'timeout' });
      else out.wakeAt = deadline;
      live ??= c;
    } else if (attachedMode && memory.attached.has(c.id)) {
      // Created and waiting for its client; or exited, its status not yet sent to the client:
      // its link closes first, then it is removed.
      if (c.startedAt) live ??= c;
      else waiting ??= c;
    } else {
      const end = { exitCode: c.startedAt ? c.exitCode : null, at: c.finishedAt ?? isoNow };
      out.ended.push({ container: c, end });
      out.remove.push(c);
      out.finished ??= end;
    }
  }
  const stoppingNow = new Set(out.stop.map((s) => s.container.id));
  if (live) {
    out.status = statusOf(live, memory.stopping.has(live.id) || stoppingNow.has(live.id) ? 'stopping' : 'up');
  } else if (waiting) {
    out.status = statusOf(waiting, 'starting');
  } else if (!out.finished && !memory.launched.has(d.key)) {
    out.start = true;
    out.status = { ...base, state: 'starting', since: isoNow };
  } else {
    // Ended (or launched before and gone without a trace: its status is unknown).
    out.finished ??= { exitCode: null, at: isoNow };
    out.status = { ...base, state: 'down', since: out.finished.at, exitCode: out.finished.exitCode };
  }
  return out;
}
