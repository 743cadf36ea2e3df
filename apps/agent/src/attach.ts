/**
 * An attached one-off's stdio ⇄ the api. The container is created (not started) and its
 * stdio attached first; then the agent opens a WebSocket to the api
 * (`/agents/attach/:oneOffId` on the agent channel, its own credential) and starts the container only when the api says
 * `start` (its client is there), so no output is lost. Binary frames are the process's bytes
 * (stdin in, stdout+stderr out); text frames are control messages (`attachControl`: start,
 * resize, eof in; exit out). When the process ends its output is sent, then `exit` with its
 * status, then the link is closed. If the link breaks first (the client left, the api went
 * away), `onLost` is called and the reconciler stops the process.
 */
import { type AttachControl, attachControl, type DesiredProcess } from '@paas/shared';
import WebSocket from 'ws';
import { type ChannelAuth, channelOptions } from './connection.js';
import type { Logger } from './logger.js';
import type { ContainerInfo, Runtime } from './runtime/runtime.js';

export interface AttachHooks {
  /** The process started (its client arrived). */
  onStarted: () => void;
  /** The link ended (after the exit, or lost before it): the container is no longer attached. */
  onLost: () => void;
}

export interface AttachDeps {
  runtime: Runtime;
  log: Logger;
  /** The agent channel's wss:// base, no trailing slash. */
  apiUrl: string;
  auth: ChannelAuth;
}

export class AttachBridge {
  constructor(private readonly deps: AttachDeps) {}

  async open(c: ContainerInfo, d: DesiredProcess, hooks: AttachHooks): Promise<void> {
    const { runtime, log, apiUrl, auth } = this.deps;
    const id = d.oneOff?.id ?? '';
    const tty = d.oneOff?.tty === true;
    const plog = log.child({ app: d.app, process: d.name, container: c.id.slice(0, 12) });
    let stdio: Awaited<ReturnType<Runtime['attach']>>;
    try {
      stdio = await runtime.attach(c.id, tty);
    } catch (err) {
      plog.error({ err }, 'could not attach to a one-off');
      hooks.onLost();
      return;
    }
    let ws: WebSocket;
    try {
      ws = new WebSocket(`${apiUrl}/agents/attach/${encodeURIComponent(id)}`, channelOptions(auth));
    } catch (err) {
      plog.error({ err }, 'could not open the attach link');
      stdio.close();
      hooks.onLost();
      return;
    }
    let started = false;
    let done = false;
    const control = (m: AttachControl) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m));
    };
    const finish = () => {
      if (done) return;
      done = true;
      clearInterval(drain);
      stdio.close();
      hooks.onLost();
    };

    // Back-pressure: past 1 MiB not yet sent to the api, Docker's stream is not read.
    let drain: NodeJS.Timeout | undefined;
    stdio.output.on('data', (chunk: Buffer) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(chunk, { binary: true });
      if (drain || ws.bufferedAmount < 1024 * 1024) return;
      stdio.output.pause();
      drain = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN && ws.bufferedAmount > 256 * 1024) return;
        clearInterval(drain);
        drain = undefined;
        stdio.output.resume();
      }, 20);
    });
    // The container stays until this link has closed (plan-one-off.ts), so its status can be read.
    let ended = false;
    const onOutputEnd = () => {
      if (!started || ended) return;
      ended = true;
      // The process ended: its whole output is queued on the link; now its status.
      void runtime
        .wait(c.id)
        .catch(() => null)
        .then((code) => {
          control({ type: 'exit', code });
          ws.close(1000, 'exited');
        });
    };
    stdio.output.on('end', onOutputEnd);
    stdio.output.on('close', onOutputEnd);

    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        stdio.input.write(data as Buffer);
        return;
      }
      let parsed: ReturnType<typeof attachControl.safeParse>;
      try {
        parsed = attachControl.safeParse(JSON.parse(String(data)));
      } catch {
        return;
      }
      if (!parsed.success) return;
      const m = parsed.data;
      if (m.type === 'start' && !started) {
        started = true;
        void (async () => {
          try {
            await runtime.start(c.id);
            if (tty && m.cols && m.rows) await runtime.resize(c.id, m.cols, m.rows).catch(() => {});
            hooks.onStarted();
          } catch (err) {
            plog.error({ err }, 'could not start a one-off');
            control({ type: 'exit', code: null });
            ws.close(1011, 'start failed');
          }
        })();
      } else if (m.type === 'resize' && tty) {
        runtime.resize(c.id, m.cols, m.rows).catch(() => {});
      } else if (m.type === 'eof') {
        stdio.input.end();
      }
    });
    ws.on('unexpected-response', (_req, res) =>
      plog.warn({ status: res.statusCode }, 'the api refused the attach link'),
    );
    ws.on('error', (err) => plog.debug({ err: err.message }, 'attach link error'));
    ws.on('close', () => finish());
  }
}
