/**
 * What the agent was last told, kept on disk so that a restarted agent with the api down
 * still knows what to run (and which platform's containers are its own).
 */
import fs from 'node:fs';
import path from 'node:path';
import { appRoutes, desiredProcess } from '@paas/shared';
import { z } from 'zod';

const stateFile = z.object({
  platformId: z.string(),
  desired: z.array(desiredProcess),
  routes: z.array(appRoutes).default([]),
});
export type AgentState = z.infer<typeof stateFile>;

export function loadState(dir: string): AgentState | undefined {
  try {
    return stateFile.parse(JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')));
  } catch {
    return undefined;
  }
}

export function saveState(dir: string, state: AgentState): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'state.json');
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(state));
  fs.renameSync(`${file}.tmp`, file);
}
