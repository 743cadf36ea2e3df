/**
 * The `ps` read model: an app's processes as the runtime reports them, plus the ones that
 * should run but have not been reported yet (shown `starting` where they were placed). Pure.
 * A type is short of processes by how many of its names are not reported: the agents run
 * `web.3` as `web.3`, but Swarm, scaling down, may keep `web.2` and stop `web.1`, and that
 * `web.2` stands for the one wanted process.
 */
import type { DesiredProcess, ProcessStatus } from '@paas/shared';

export interface Dyno extends ProcessStatus {
  /** Who runs it: an agent id ('' while not placed). */
  agent: string;
}

export function dynoView(
  appId: string,
  reported: Dyno[],
  wanted: DesiredProcess[],
  placements: Map<string, string>,
  now: Date,
): Dyno[] {
  const dynos = reported.filter((d) => d.appId === appId);
  const seen = new Set(dynos.map((d) => d.key));
  const running = new Map<string, Set<string>>();
  for (const d of dynos) {
    if (d.oneOff || d.state === 'stopping' || d.state === 'down') continue;
    running.set(d.type, (running.get(d.type) ?? new Set()).add(d.name));
  }
  const wantedOf = new Map<string, number>();
  for (const w of wanted) if (w.appId === appId && !w.oneOff) wantedOf.set(w.type, (wantedOf.get(w.type) ?? 0) + 1);
  const short = new Map([...wantedOf].map(([type, n]) => [type, n - (running.get(type)?.size ?? 0)]));
  for (const w of wanted) {
    if (w.appId !== appId || seen.has(w.key)) continue;
    if (!w.oneOff) {
      const left = short.get(w.type) ?? 0;
      if (left <= 0) continue;
      short.set(w.type, left - 1);
    }
    dynos.push({
      key: w.key,
      app: w.app,
      appId: w.appId,
      type: w.type,
      index: w.index,
      name: w.name,
      release: w.release,
      generation: w.generation,
      command: w.command,
      state: 'starting',
      since: now.toISOString(),
      exitCode: null,
      restarts: 0,
      containerId: null,
      endpoint: null,
      agent: placements.get(w.key) ?? '',
      ...(w.oneOff ? { oneOff: { id: w.oneOff.id, attach: w.oneOff.attach } } : {}),
      ...(w.size ? { size: w.size } : {}),
    });
  }
  return dynos.sort(
    (a, b) => a.type.localeCompare(b.type) || a.index - b.index || a.release.version - b.release.version,
  );
}
