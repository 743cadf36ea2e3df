/**
 * The agent's link to the api: one WebSocket over TLS (the agent channel, its certificate
 * signed by the platform CA: the only CA trusted), opened with this agent's own credential,
 * re-opened with growing back-off (capped) for as long as the agent runs. Messages are
 * zod-checked both ways.
 */
import fs from 'node:fs';
import { type AgentMessage, type ApiMessage, apiMessage } from '@paas/shared';
import WebSocket from 'ws';
import type { Logger } from './logger.js';

/** How an agent reaches the api's agent channel: where, trusting what, proving who. */
export interface ChannelAuth {
  /** The CA certificate file (PEM); read at each connection (the api makes it on its first start). */
  caFile: string;
  agentId: string;
  secret: string;
}

/** WebSocket options for the agent channel: the platform CA only, the agent's basic credentials. */
export function channelOptions(auth: ChannelAuth): WebSocket.ClientOptions {
  return {
    ca: fs.readFileSync(auth.caFile),
    headers: { authorization: `Basic ${Buffer.from(`${auth.agentId}:${auth.secret}`).toString('base64')}` },
    handshakeTimeout: 5000,
  };
}

export interface ConnectionDeps {
  url: string;
  auth: ChannelAuth;
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
    const { url, auth, log } = this.deps;
    let options: WebSocket.ClientOptions;
    try {
      options = channelOptions(auth);
    } catch (err) {
      log.warn({ caFile: auth.caFile, err: (err as Error).message }, 'cannot read the platform CA; retrying');
      this.retry();
      return;
    }
    const socket = new WebSocket(url, options);
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
      log.error({ status: res.statusCode }, 'the api refused the agent (check PAAS_AGENT_CREDENTIAL)');
    });
    // A certificate not from the platform CA, or for another name, is an error worth seeing.
    socket.on('error', (err) =>
      /certificate|self.signed|altnames/i.test(err.message)
        ? log.error({ err: err.message }, "refused the api: its certificate is not the platform CA's for this host")
        : log.debug({ err: err.message }, 'api connection error'),
    );
    socket.on('close', (code, reason) => {
      if (code === 4401) log.error({ reason: String(reason) }, 'the api closed the connection: credential refused');
      this.retry();
    });
  }

  private retry(): void {
    if (this.closed) return;
    const delay = Math.min(10_000, 250 * 2 ** this.attempt++);
    this.deps.log.warn({ retryInMs: delay }, 'lost the api connection; retrying');
    this.timer = setTimeout(() => this.open(), delay);
  }
}
