/**
 * What the agent was last told, kept on disk so that a restarted agent with the api down
 * still knows what to run (and which platform's containers are its own).
 */
import fs from 'node:fs';
import path from 'node:path';
import { appRoutes, desiredProcess, desiredService } from '@paas/shared';
import { z } from 'zod';

const stateFile = z.object({
  platformId: z.string(),
  desired: z.array(desiredProcess),
  routes: z.array(appRoutes).default([]),
  /** Add-on services (absent in a state saved before the api sent any). */
  services: z.array(desiredService).optional(),
  /** One-offs this agent has started: never started again (see plan-one-off.ts). */
  launched: z.array(z.string()).default([]),
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
  writeAtomically(dir, 'state.json', JSON.stringify(state));
}

const position = z.object({ ts: z.string(), part: z.number().int().min(0) });
const cursorsFile = z.record(z.string(), z.object({ stdout: position.optional(), stderr: position.optional() }));

/** Where the api's copy of each container's log ends (see logs/shipper.ts). */
export function loadCursors(dir: string): z.infer<typeof cursorsFile> {
  try {
    return cursorsFile.parse(JSON.parse(fs.readFileSync(path.join(dir, 'cursors.json'), 'utf8')));
  } catch {
    return {};
  }
}

export function saveCursors(dir: string, cursors: z.infer<typeof cursorsFile>): void {
  writeAtomically(dir, 'cursors.json', JSON.stringify(cursors));
}

/**
 * Written whole or not at all, and readable by this user only (the desired set holds every
 * app's config vars): a temporary file (0600, in a 0700 directory) synced to disk, then a
 * rename over the old one, then the directory synced (so the rename survives a power cut).
 */
function writeAtomically(dir: string, name: string, text: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const file = path.join(dir, name);
  const tmp = `${file}.tmp`;
  fs.rmSync(tmp, { force: true }); // a left-over one keeps its old mode: open fresh
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const dirFd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}
