/**
 * The agent's words for what happened to processes, as Heroku puts them in an app's log
 * (`paas[web.1]: State changed from starting to up`). Pure: compares two status reports.
 */
import type { ProcessStatus } from '@paas/shared';

export interface ProcessEvent {
  app: string;
  process: string;
  line: string;
}

const idOf = (p: ProcessStatus) => p.containerId ?? p.key;

/** Events between the last report and this one; `previous` is updated to this one. */
export function stateEvents(previous: Map<string, ProcessStatus>, next: ProcessStatus[]): ProcessEvent[] {
  const events: ProcessEvent[] = [];
  const now = new Map<string, ProcessStatus>();
  for (const p of next) {
    const id = idOf(p);
    now.set(id, p);
    const before = previous.get(id);
    const say = (line: string) => events.push({ app: p.app, process: p.name, line });
    if (before?.state === p.state) continue;
    if (!before) {
      if (p.state === 'starting') say(`Starting process with command \`${p.command ?? '(the image’s CMD)'}\``);
      if (p.state !== 'crashed') continue;
    }
    const from = before?.state ?? 'starting';
    if (p.state === 'crashed') say(`Process exited with status ${p.exitCode ?? 'unknown'}`);
    say(`State changed from ${from} to ${p.state}`);
  }
  previous.clear();
  for (const [id, p] of now) previous.set(id, p);
  return events;
}
