/**
 * Pushes in flight. The git route registers each receive-pack it starts; git runs our
 * pre-receive hook (hooks/pre-receive), which connects back here over loopback and hands
 * over the ref updates and the quarantine paths. Here the push is checked, waits its turn
 * (one build per app at a time), is built, and its output streams back to the hook.
 *
 * Hook protocol, JSON lines: hook → api `{ push, updates, env }`; api → hook `{ line }`…
 * then `{ exit }`.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { z } from 'zod';
import type { Builder } from '../core/builds.js';
import type { KeyedMutex } from '../core/locks.js';
import type { Actor } from '../core/releases.js';
import type { Logger } from '../logger.js';
import type { AppRow } from '../store/rows.js';
import { type GitRepos, ZERO_SHA } from './repos.js';

const DEPLOY_REFS = new Set(['refs/heads/main', 'refs/heads/master']);

const hookMessage = z.object({
  push: z.string(),
  updates: z.array(z.object({ old: z.string(), new: z.string(), ref: z.string() })),
  env: z.object({
    GIT_OBJECT_DIRECTORY: z.string().optional(),
    GIT_ALTERNATE_OBJECT_DIRECTORIES: z.string().optional(),
    GIT_QUARANTINE_PATH: z.string().optional(),
  }),
});

interface Push {
  app: AppRow;
  repo: string;
  actor: Actor;
  /** Aborted when the push ends: a waiting turn is given up and a build is cancelled. */
  ended: AbortController;
  /** Whether the hook is being served (the lock, if held, is then released when that ends). */
  serving: boolean;
  /** Releases the app's lock; set once this push holds it. */
  unlock?: () => void;
}

export interface PushesDeps {
  builder: Builder;
  repos: GitRepos;
  locks: KeyedMutex;
  log: Logger;
}

export class Pushes {
  private readonly pushes = new Map<string, Push>();
  private readonly server = net.createServer((socket) => void this.onHook(socket));
  private address = '';

  constructor(private readonly deps: PushesDeps) {}

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as net.AddressInfo;
    this.address = `127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * Registers a receive-pack about to start; its env lets the hook find this push. `end` is
   * called however the push ends (git exited, or could not start); it may be called again.
   */
  begin(push: Pick<Push, 'app' | 'repo' | 'actor'>): { env: Record<string, string>; end: () => void } {
    const id = randomUUID();
    const entry: Push = { ...push, ended: new AbortController(), serving: false };
    this.pushes.set(id, entry);
    return {
      env: { PAAS_HOOK_ADDR: this.address, PAAS_PUSH_ID: id },
      // A push that succeeded keeps the app locked until git has updated the refs, so the
      // next push compares against what this one left. One still being served gives up its
      // turn or its build here, and releases the lock when its handling returns.
      end: () => {
        this.pushes.delete(id);
        entry.ended.abort(new Error('the push ended'));
        if (!entry.serving) entry.unlock?.();
      },
    };
  }

  private async onHook(socket: net.Socket): Promise<void> {
    socket.setEncoding('utf8');
    const send = (message: { line: string } | { exit: number }) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
    };
    const out = (line: string) => send({ line });
    const abort = new AbortController();
    socket.on('close', () => abort.abort());
    socket.on('error', () => abort.abort());

    let exit = 1;
    try {
      const first = await firstLine(socket);
      const parsed = hookMessage.safeParse(JSON.parse(first));
      const push = parsed.success ? this.pushes.get(parsed.data.push) : undefined;
      if (!parsed.success || !push || push.serving) {
        out('paas: this push is not known to the api; push rejected');
      } else {
        push.serving = true;
        const signal = AbortSignal.any([abort.signal, push.ended.signal]);
        try {
          exit = await this.handle(push, parsed.data, out, signal);
        } finally {
          push.serving = false;
          // Only an accepted push that can still tell git so keeps the lock (until git exits).
          if (exit !== 0 || signal.aborted) push.unlock?.();
        }
      }
    } catch (err) {
      this.deps.log.error({ err }, 'pre-receive hook failed');
      out('paas: internal error while handling the push; push rejected');
    }
    send({ exit });
    socket.end();
  }

  private async handle(
    push: Push,
    message: z.infer<typeof hookMessage>,
    out: (line: string) => void,
    signal: AbortSignal,
  ): Promise<number> {
    const { app } = push;
    const updates = message.updates;
    if (updates.length === 0) return 0;
    const other = updates.find((u) => !DEPLOY_REFS.has(u.ref));
    if (other) {
      const branch = other.ref.replace(/^refs\/heads\//, '');
      out(`!      paas deploys only the main (or master) branch; you pushed ${other.ref}.`);
      out(`!      To deploy that branch:  git push paas ${branch}:main`);
      return 1;
    }
    if (updates.length > 1) {
      out('!      Push main or master, not both at once.');
      return 1;
    }
    const update = updates[0];
    if (!update) return 1;
    if (update.new === ZERO_SHA) {
      out(`!      Deleting ${update.ref} is not supported: it is what the app deploys.`);
      return 1;
    }

    if (this.deps.locks.isLocked(app.id)) {
      // The app's lock: another push being built, or a release command running (a push's,
      // a config change's or a rollback's).
      out(
        `-----> Another change to ${app.name} is in progress (a build or a release command); waiting for it to finish...`,
      );
    }
    try {
      push.unlock = await this.deps.locks.acquire(app.id, signal);
    } catch (err) {
      if (signal.aborted) return 1; // the pusher or git went away while this push waited
      throw err;
    }

    const current = await this.deps.repos.revParse(push.repo, update.ref);
    const expected = update.old === ZERO_SHA ? null : update.old;
    if (current !== expected) {
      out(`!      ${update.ref} changed while this push waited (it is now at ${current?.slice(0, 7) ?? 'nothing'}).`);
      out('!      Fetch, merge and push again.');
      return 1;
    }

    const result = await this.deps.builder.run({
      app,
      repo: push.repo,
      commit: update.new,
      quarantine: message.env,
      actor: push.actor,
      out,
      signal,
    });
    return result.ok ? 0 : 1;
  }
}

function firstLine(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: string) => {
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl !== -1) {
        socket.off('data', onData);
        resolve(buffered.slice(0, nl));
      } else if (buffered.length > 1 << 20) {
        reject(new Error('hook message too long'));
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('hook closed before it said anything')));
  });
}
