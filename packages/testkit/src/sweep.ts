/**
 * The test run's sweep: whatever the test kit starts during a vitest run (api and agent
 * processes, the CLI and git it spawns, platform ids, temp dirs) is recorded, and is removed
 * after each test file and again when the run ends, whether tests passed, failed or timed out.
 *
 * Other people run tests on the same machine and Docker engine at the same time, so the sweep
 * removes only what this run recorded: processes by pid *and* start time (a pid the kernel has
 * since given to another process is left alone), with their descendants; containers and images
 * by the `paas.platform` label of this run's platforms; temp dirs by path. Never all
 * `paas.platform` containers.
 *
 * `global-setup.ts` (vitest globalSetup) makes the run's record directory and names it in
 * PAAS_TESTKIT_RUN, which the forked test workers inherit; each worker appends JSON lines to
 * `<dir>/<worker pid>.jsonl`. `after-file.ts` (a vitest setup file) sweeps a worker's records
 * after its test file; the globalSetup teardown sweeps what is left, and so does a watchdog
 * (`watchdog.ts`) if vitest itself dies first. At the run's end, a process whose environment
 * holds this run's PAAS_TESTKIT_RUN (something a test started, directly or not) is this run's
 * too. Outside such a run (the benches) nothing is recorded.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { removeNodes, removeOverlays, removeServices } from './swarm.js';

const run = promisify(execFile);

/** Names the run's record directory; set by the globalSetup, inherited by test workers. */
export const RUN_ENV = 'PAAS_TESTKIT_RUN';

type Entry =
  | { kind: 'process'; what: string; pid: number; start: string }
  | { kind: 'platform'; id: string }
  /** Processes whose command line holds `match` (an agent's HAProxy: detached, it outlives the agent). */
  | { kind: 'cmdline'; what: string; match: string }
  | { kind: 'dir'; path: string };

/** This worker's record file, or undefined outside a run with the globalSetup. */
export function recordFile(pid = process.pid): string | undefined {
  const dir = process.env[RUN_ENV];
  return dir ? path.join(dir, `${pid}.jsonl`) : undefined;
}

function record(entry: Entry): void {
  const file = recordFile();
  if (file) fs.appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

/** A process's state letter, parent pid and start time (clock ticks since boot), from /proc. */
function procStat(pid: number): { state: string; ppid: number; start: string } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid … starttime(22nd)": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', ppid: Number(fields[1]), start: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

export function recordProcess(what: string, pid: number | undefined): void {
  if (pid === undefined || !recordFile()) return;
  const stat = procStat(pid);
  if (stat) record({ kind: 'process', what, pid, start: stat.start });
}

export function recordCmdline(what: string, match: string): void {
  if (recordFile()) record({ kind: 'cmdline', what, match });
}

export function recordPlatform(id: string): void {
  record({ kind: 'platform', id });
}

export function recordDir(dir: string): void {
  record({ kind: 'dir', path: dir });
}

export interface SweepResult {
  /** Processes that were still running and got SIGKILL ("api 1234", …). */
  killed: string[];
  containers: number;
  images: number;
  dirs: number;
  errors: string[];
}

function readEntries(files: string[]): Entry[] {
  const entries: Entry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        entries.push(JSON.parse(line) as Entry);
      } catch {} // a line cut short by a worker killed while writing
    }
  }
  return entries;
}

/** Every running process (zombies left out) with its parent: one pass over /proc. */
function processTable(): Map<number, { ppid: number; start: string }> {
  const table = new Map<number, { ppid: number; start: string }>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (stat && stat.state !== 'Z' && stat.state !== 'X') table.set(Number(name), stat);
  }
  return table;
}

/**
 * SIGKILL to `targets` and all their descendants (git run by an api, …), found before any of
 * them dies; returns once they are gone (or zombies), so that none acts after its containers
 * are removed.
 */
async function killTrees(
  table: Map<number, { ppid: number; start: string }>,
  targets: Map<number, string>,
): Promise<string[]> {
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, { ppid }] of table) {
      if (!targets.has(pid) && targets.has(ppid)) {
        targets.set(pid, `child ${pid} of ${targets.get(ppid)}`);
        grew = true;
      }
    }
  }
  const killed: string[] = [];
  for (const [pid, what] of targets) {
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(what);
    } catch {}
  }
  const deadline = Date.now() + 10_000;
  for (const [pid] of targets) {
    for (;;) {
      const state = procStat(pid)?.state;
      if (state === undefined || state === 'Z' || state === 'X' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return killed;
}

/**
 * SIGKILL to every process (and its descendants) whose environment holds PAAS_TESTKIT_RUN=`runDir`:
 * whatever this run's tests started, through the test kit or not, and vitest's own workers
 * unless `spare` says otherwise. Run only when the run's test files are done.
 */
export async function killRunProcesses(
  runDir: string,
  spare: (pid: number, ppid: number) => boolean,
): Promise<string[]> {
  if (!fs.existsSync('/proc')) return [];
  const marker = `${RUN_ENV}=${runDir}`;
  const table = processTable();
  const targets = new Map<number, string>();
  for (const [pid, { ppid }] of table) {
    if (pid === process.pid || spare(pid, ppid)) continue;
    let environ: string;
    try {
      environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue; // gone, or another user's
    }
    if (!environ.split('\0').includes(marker)) continue;
    let cmdline = '';
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {}
    targets.set(pid, `${pid} (${cmdline.slice(0, 80)})`);
  }
  return killTrees(table, targets);
}

async function docker(args: string[]): Promise<string[]> {
  const { stdout } = await run('docker', args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout.split('\n').filter(Boolean);
}

/**
 * Removes what the record files list: SIGKILL to recorded processes still running (and their
 * descendants) first, so that no agent re-creates a container; then the platforms' containers,
 * their images, and the temp dirs.
 */
export async function sweep(files: string[]): Promise<SweepResult> {
  const entries = readEntries(files);
  const result: SweepResult = { killed: [], containers: 0, images: 0, dirs: 0, errors: [] };

  const processes = entries.flatMap((e) => (e.kind === 'process' ? [e] : []));
  if (processes.length && fs.existsSync('/proc')) {
    const table = processTable();
    const targets = new Map<number, string>();
    for (const p of processes) {
      if (table.get(p.pid)?.start === p.start) targets.set(p.pid, `${p.what} ${p.pid}`);
    }
    result.killed.push(...(await killTrees(table, targets)));
  }
  const patterns = entries.flatMap((e) => (e.kind === 'cmdline' ? [e] : []));
  if (patterns.length && fs.existsSync('/proc')) {
    const table = processTable();
    const targets = new Map<number, string>();
    for (const [pid] of table) {
      let cmdline: string;
      try {
        cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      } catch {
        continue;
      }
      const hit = patterns.find((p) => cmdline.includes(p.match));
      if (hit) targets.set(pid, `${hit.what} ${pid}`);
    }
    result.killed.push(...(await killTrees(table, targets)));
  }

  const platforms = [...new Set(entries.flatMap((e) => (e.kind === 'platform' ? [e.id] : [])))];
  for (const id of platforms) {
    try {
      // Swarm services first (the swarm runtime), so Swarm does not replace the containers removed next.
      result.containers += await removeServices(id);
      const containers = await docker(['ps', '-aq', '--filter', `label=paas.platform=${id}`]);
      if (containers.length) await docker(['rm', '-f', ...containers]);
      result.containers += containers.length;
      const images = await docker(['images', '-q', '--no-trunc', '--filter', `label=paas.platform=${id}`]);
      const unique = [...new Set(images)];
      if (unique.length) await docker(['rmi', '-f', ...unique]);
      result.images += unique.length;
      // Add-ons: their volumes and the apps' networks (after the containers on them).
      const volumes = await docker(['volume', 'ls', '-q', '--filter', `label=paas.platform=${id}`]);
      if (volumes.length) await docker(['volume', 'rm', '-f', ...volumes]);
      await removeOverlays(id);
      const networks = await docker(['network', 'ls', '-q', '--filter', `label=paas.platform=${id}`]);
      if (networks.length) await docker(['network', 'rm', ...networks]);
      // Swarm worker nodes a test made (their containers went above).
      result.containers += await removeNodes(id);
    } catch (err) {
      result.errors.push(`platform ${id}: ${(err as Error).message.trim()}`);
    }
  }

  for (const dir of new Set(entries.flatMap((e) => (e.kind === 'dir' ? [e.path] : [])))) {
    try {
      if (!fs.existsSync(dir)) continue;
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      result.dirs += 1;
    } catch (err) {
      result.errors.push(`dir ${dir}: ${(err as Error).message}`);
    }
  }
  return result;
}

/** One line for the test output when a sweep found something a test left running. */
export function describeSweep(scope: string, result: SweepResult): string | undefined {
  const parts = [
    result.killed.length ? `killed ${result.killed.join(', ')}` : '',
    result.containers ? `removed ${result.containers} container(s)` : '',
    ...result.errors.map((e) => `failed: ${e}`),
  ].filter(Boolean);
  return parts.length ? `[testkit sweep] ${scope}: ${parts.join('; ')}\n` : undefined;
}
