/**
 * The `ps` read model: an app's processes as the runtime reports them, plus the ones that
 * should run but have not been reported yet (shown `starting` where they were placed). Pure.
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
  for (const w of wanted) {
    if (w.appId !== appId || seen.has(w.key)) continue;
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
