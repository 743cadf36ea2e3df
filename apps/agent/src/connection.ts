/**
 * The agent's link to the api: one WebSocket, opened with the agent token, re-opened with
 * growing back-off (capped) for as long as the agent runs. Messages are zod-checked both ways.
 */
import { type AgentMessage, type ApiMessage, apiMessage } from '@paas/shared';
import WebSocket from 'ws';
import type { Logger } from './logger.js';

export interface ConnectionDeps {
  url: string;
  token: string;
  log: Logger;
  onOpen: () => void;
  onMessage: (message: ApiMessage) => void;
}

export class Connection {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: ConnectionDeps) {}

  start(): void {
    this.open();
  }

  send(message: AgentMessage): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Bytes sent but not yet written to the network (the api reading slowly, or a slow link). */
  buffered(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket?.close();
  }

  private open(): void {
    const { url, token, log } = this.deps;
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, handshakeTimeout: 5000 });
    this.socket = socket;
    socket.on('open', () => {
      this.attempt = 0;
      log.info({ url }, 'connected to the api');
      this.deps.onOpen();
    });
    socket.on('message', (data) => {
      let json: unknown;
      try {
        json = JSON.parse(String(data));
      } catch {
        log.warn({ bytes: String(data).length }, 'ignored a message from the api that is not JSON');
        return;
      }
      const parsed = apiMessage.safeParse(json);
      if (!parsed.success) {
        log.warn({ issues: parsed.error.issues.slice(0, 5) }, 'ignored a malformed message from the api');
        return;
      }
      try {
        this.deps.onMessage(parsed.data);
      } catch (err) {
        log.error({ err, type: parsed.data.type }, 'handling a message from the api failed');
      }
    });
    socket.on('unexpected-response', (_req, res) => {
      log.error({ status: res.statusCode }, 'the api refused the agent (check PAAS_AGENT_TOKEN)');
    });
    socket.on('error', (err) => log.debug({ err: err.message }, 'api connection error'));
    socket.on('close', () => {
      if (this.closed) return;
      const delay = Math.min(10_000, 250 * 2 ** this.attempt++);
      log.warn({ retryInMs: delay }, 'lost the api connection; retrying');
      this.timer = setTimeout(() => this.open(), delay);
    });
  }
}
