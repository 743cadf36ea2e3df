/**
 * The release phase: a release whose Procfile has a `release:` command runs it once, as the
 * one-off `release.N`, before the release becomes current. Exit 0 → `succeeded`; a non-zero
 * exit, a failure to start, the timeout (PAAS_RELEASE_TIMEOUT) or the api stopping →
 * `failed`, and the previous release stays current. Its output goes, as it comes, to whoever
 * started it (a pusher's `remote:` lines), to the app's log as `app[release.N]`, to followers
 * of its output URL, and into the store (bounded; saved every second while it runs).
 *
 * Who runs the command is a `OneOffRunner`: today a container on the api's Docker engine
 * (docker.ts); once agents run one-offs, theirs, behind the same interface.
 */
import { preciseNow } from '@paas/shared';
import type { Logger } from '../logger.js';
import type { Db } from '../store/db.js';
import { decideRelease, findReleaseOutput, saveReleaseOutput, startReleaseOutput } from '../store/release-outputs.js';
import type { AppRow, ConfigMap, ReleaseRow } from '../store/rows.js';
import type { LogRouter } from './logs.js';
import { releaseCommandOf } from './procfile.js';
import { shownOutput, TailBuffer } from './tail-buffer.js';

export interface OneOffRequest {
  app: { id: string; name: string };
  release: { id: string; version: number; image: string; config: ConfigMap };
  command: string;
  type: 'release';
  /** The one-off's name, `release.N` (its DYNO). */
  name: string;
  /** Its stdout and stderr, as they come. */
  onOutput: (text: string) => void;
  /** Aborted: stop the process (SIGTERM, then SIGKILL) and answer its exit code. */
  signal: AbortSignal;
}

export interface OneOffRunner {
  runOneOff(req: OneOffRequest): Promise<{ exitCode: number }>;
}

export interface ReleasePhaseDeps {
  db: Db;
  log: Logger;
  logs: LogRouter;
  runner: OneOffRunner;
  /** PAAS_RELEASE_TIMEOUT, in ms. */
  timeoutMs: number;
  /** Bytes of output kept per release (the tail). */
  maxOutput?: number;
  /** How often a running phase's output is saved. */
  saveMs?: number;
}

export interface PhaseResult {
  ok: boolean;
  exitCode: number | null;
  /** Why it failed, in words ("the release command exited with status 1"). */
  reason: string | null;
}

/** What following a release's output finds. */
export type OutputFollow =
  | { state: 'not-started' }
  | { state: 'done'; text: string }
  | { state: 'running'; text: string; listen(onText: (text: string) => void, onEnd: () => void): () => void };

interface Live {
  buffer: TailBuffer;
  listeners: Set<{ onText: (text: string) => void; onEnd: () => void }>;
}

const MAX_OUTPUT = 1024 * 1024;
const MAX_LINE = 10 * 1024;

export class ReleasePhases {
  private readonly live = new Map<string, Live>();
  private readonly stopping = new AbortController();
  private readonly background = new Set<Promise<unknown>>();

  constructor(private readonly deps: ReleasePhaseDeps) {}

  /** Runs `release`'s release command (it must be pending and have one); `out` gets each line. */
  async run(app: AppRow, release: ReleaseRow, out: (line: string) => void): Promise<PhaseResult> {
    const { db, logs, runner } = this.deps;
    const command = releaseCommandOf(release.process_types);
    if (command === null || release.image_id === null) throw new Error(`v${release.version} has no release phase`);
    const name = `release.${release.version}`;
    const plog = this.deps.log.child({ app: app.name, release: `v${release.version}` });
    const ref = { id: app.id, name: app.name };
    startReleaseOutput(db, { releaseId: release.id, appId: app.id, process: name, command });
    const live: Live = { buffer: new TailBuffer(this.deps.maxOutput ?? MAX_OUTPUT), listeners: new Set() };
    this.live.set(release.id, live);
    let partial = '';
    const lines = (text: string) => {
      const parts = (partial + text).split('\n');
      partial = parts.pop() ?? '';
      return parts.map((l) => l.replace(/\r$/, ''));
    };
    const emit = (complete: string[]) => {
      if (complete.length === 0) return;
      for (const line of complete) out(line);
      // As the agent ships container lines: a line over 10 KiB is cut.
      const cut = (line: string) => (line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)} [line cut]` : line);
      logs.publish(
        ref,
        complete.map((line) => ({ ts: preciseNow(), source: 'app' as const, process: name, line: cut(line) })),
      );
    };
    const onOutput = (text: string) => {
      live.buffer.append(text);
      for (const l of live.listeners) l.onText(text);
      emit(lines(text));
    };

    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.deps.timeoutMs);
    const save = () => {
      try {
        saveReleaseOutput(db, release.id, live.buffer.snapshot());
      } catch (err) {
        plog.warn({ err }, 'could not save the release output so far');
      }
    };
    const saver = setInterval(save, this.deps.saveMs ?? 1000);
    logs.event(ref, 'api', `Running release command of v${release.version} as ${name}: ${command}`);
    plog.info({ command }, 'release phase started');
    let result: PhaseResult;
    try {
      const { exitCode } = await runner.runOneOff({
        app: ref,
        release: { id: release.id, version: release.version, image: release.image_id, config: release.config },
        command,
        type: 'release',
        name,
        onOutput,
        signal: AbortSignal.any([timeout.signal, this.stopping.signal]),
      });
      const reason = timeout.signal.aborted
        ? `the release command did not finish within ${this.deps.timeoutMs / 1000} s (PAAS_RELEASE_TIMEOUT) and was stopped`
        : this.stopping.signal.aborted
          ? 'the api stopped while the release command ran'
          : exitCode !== 0
            ? `the release command exited with status ${exitCode}`
            : null;
      result = { ok: reason === null, exitCode, reason };
    } catch (err) {
      plog.warn({ err }, 'release command could not run');
      result = { ok: false, exitCode: null, reason: `the release command could not run: ${(err as Error).message}` };
    } finally {
      clearTimeout(timer);
      clearInterval(saver);
    }
    if (partial) emit([partial]);
    if (result.reason) {
      // The reason ends the output, for followers and the store alike.
      const note = `${live.buffer.endsInLine() ? '' : '\n'}${result.reason}\n`;
      live.buffer.append(note);
      for (const l of live.listeners) l.onText(note);
    }
    try {
      const decided = decideRelease(db, release.id, {
        status: result.ok ? 'succeeded' : 'failed',
        exitCode: result.exitCode,
        reason: result.reason,
        output: live.buffer.snapshot(),
      });
      if (!decided) result = { ok: false, exitCode: result.exitCode, reason: 'the release was decided elsewhere' };
    } finally {
      // Followers end even if the store failed (the release then stays pending until the
      // next start fails it).
      this.live.delete(release.id);
      for (const l of live.listeners) l.onEnd();
    }
    logs.event(
      ref,
      'api',
      result.ok
        ? `Release command of v${release.version} succeeded`
        : `Release v${release.version} failed: ${result.reason}`,
    );
    plog.info({ ok: result.ok, exitCode: result.exitCode, reason: result.reason }, 'release phase ended');
    return result;
  }

  /** A release's output: not started, finished (stored), or running (what came so far, then live). */
  follow(releaseId: string): OutputFollow {
    const live = this.live.get(releaseId);
    if (live) {
      return {
        state: 'running',
        text: shownOutput(live.buffer.snapshot()),
        listen: (onText, onEnd) => {
          const listener = { onText, onEnd };
          live.listeners.add(listener);
          return () => live.listeners.delete(listener);
        },
      };
    }
    const stored = findReleaseOutput(this.deps.db, releaseId);
    if (!stored) return { state: 'not-started' };
    // A row with no end and no live phase: another api process, or one killed mid-phase (the
    // start-up marks it failed); what was saved is what there is.
    return { state: 'done', text: shownOutput({ text: stored.output, dropped: stored.dropped }) };
  }

  /** Keeps a release phase run in the background in view, so that close() waits for it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.background.add(work);
    const forget = () => this.background.delete(work);
    work.then(forget, forget);
    return work;
  }

  /**
   * The api is stopping: running release commands are stopped (their releases fail, saying
   * why) and their endings are awaited. A phase cut short harder than this (SIGKILL) is failed
   * by the next start (store/release-outputs.ts failInterruptedReleases).
   */
  async close(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.background]);
  }
}
