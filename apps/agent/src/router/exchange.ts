/**
 * One proxied request of the router (server.ts): the candidates tried in turn, the request
 * streamed upstream, the response parsed and streamed back, and its router log line.
 */
import type http from 'node:http';
import type { Logger } from '../logger.js';
import {
  type BodyFraming,
  type ResponseEvents,
  type ResponseHead,
  ResponseParser,
  requestFraming,
  requestHead,
} from './http1.js';
import type { Endpoint } from './table.js';
import type { Conn, Holder, UpstreamPool } from './upstream.js';

/** What an exchange needs of its router. */
export interface ExchangeHost {
  readonly pool: UpstreamPool;
  readonly options: {
    timeoutMs: number;
    log: Logger;
    onLine?: (app: string, line: string) => void;
  };
  forwardedHeaders(req: http.IncomingMessage, requestId: string): Record<string, string>;
  count(e: Endpoint, delta: number): void;
  fail(
    res: http.ServerResponse,
    req: http.IncomingMessage,
    status: number,
    code: string | null,
    desc: string,
    text: string,
    requestId: string,
    app?: string,
    timing?: { dyno?: string; connect: number; service: number },
  ): void;
}

/** Heroku's router line: `at=info method=GET path="/" host=… status=200 bytes=20 protocol=http`. */
export function routerLine(f: {
  code?: string;
  desc?: string;
  method?: string;
  path?: string;
  host?: string;
  requestId: string;
  fwd?: string;
  dyno?: string;
  connect: number;
  service: number;
  status: number;
  bytes: number;
}): string {
  const q = (v: string | undefined) => JSON.stringify(v ?? '');
  const error = f.code ? `at=error code=${f.code} desc=${q(f.desc)} ` : 'at=info ';
  return `${error}method=${f.method} path=${q(f.path)} host=${f.host ?? ''} request_id=${f.requestId} fwd=${q(f.fwd)} dyno=${f.dyno ?? ''} connect=${f.connect}ms service=${f.service}ms status=${f.status} bytes=${f.bytes} protocol=http`;
}

/**
 * One proxied request: tries the candidates in turn, writes the request head and streams the
 * body once connected, and hands the parsed response to the client. A class with methods rather
 * than closures: it is made for every request.
 */
export class Exchange implements Holder, ResponseEvents {
  private readonly started = performance.now();
  private readonly framing: BodyFraming;
  private readonly head: string;
  private conn: Conn | null = null;
  private endpoint: Endpoint | null = null;
  private parser: ResponseParser | null = null;
  private n = 0;
  private bodyStarted = false;
  private bodySent: boolean;
  private clientGone = false;
  private settled = false;
  private responded = false;
  private keepAlive = false;
  private connectMs = 0;
  private bytes = 0;
  private status = 0;

  constructor(
    private readonly router: ExchangeHost,
    private readonly req: http.IncomingMessage,
    private readonly res: http.ServerResponse,
    private readonly app: string,
    private readonly candidates: Endpoint[],
    private readonly requestId: string,
  ) {
    this.framing = requestFraming(req.headers);
    this.bodySent = this.framing === 'none';
    this.head = requestHead(
      req.method ?? 'GET',
      req.url ?? '/',
      req.rawHeaders,
      router.forwardedHeaders(req, requestId),
      this.framing,
    );
    res.on('close', () => {
      if (res.writableFinished) return;
      this.clientGone = true;
      if (!this.settled) this.error(new Error('client went away'));
    });
  }

  attempt(n: number): void {
    const endpoint = this.candidates[n % this.candidates.length] as Endpoint;
    this.n = n;
    this.endpoint = endpoint;
    this.settled = false;
    this.parser = new ResponseParser(this, this.req.method === 'HEAD');
    this.router.count(endpoint, 1);
    const conn = this.router.pool.acquire(endpoint.host, endpoint.port, n > 0);
    this.conn = conn;
    conn.hold(this, this.router.options.timeoutMs);
    conn.socket.write(this.head);
  }

  // Holder: the upstream connection.
  connect(): void {
    this.connectMs = performance.now() - this.started;
    if (this.bodySent || this.bodyStarted) return;
    this.bodyStarted = true;
    const req = this.req;
    req.on('data', (chunk: Buffer) => this.bodyChunk(chunk));
    req.on('end', () => {
      if (this.framing === 'chunked') this.conn?.socket.write('0\r\n\r\n');
      this.bodySent = true;
    });
  }

  private bodyChunk(chunk: Buffer): void {
    const socket = this.conn?.socket;
    if (!socket || this.settled) return;
    let ok: boolean;
    if (this.framing === 'chunked') {
      socket.write(`${chunk.length.toString(16)}\r\n`);
      socket.write(chunk);
      ok = socket.write('\r\n');
    } else ok = socket.write(chunk);
    if (!ok) this.req.pause();
  }

  data(chunk: Buffer): void {
    try {
      this.parser?.push(chunk);
    } catch (err) {
      this.error(err as Error);
    }
  }

  end(): void {
    try {
      this.parser?.eof();
    } catch (err) {
      this.error(err as Error);
    }
  }

  drain(): void {
    this.req.resume();
  }

  timeout(): void {
    this.error(new Error('upstream timeout'));
  }

  error(err: Error): void {
    if (this.settled) return;
    this.settle(false);
    if (this.clientGone) return; // the client went away: nothing to answer
    if (this.responded) {
      this.res.destroy();
      this.logLine();
      return;
    }
    const conn = this.conn as Conn;
    const timedOut = err.message === 'upstream timeout';
    const stale = conn.reused && !this.parser?.started && this.framing === 'none';
    const retryable = !timedOut && (!conn.connected || stale) && !this.bodyStarted;
    if (retryable && this.n < this.candidates.length) {
      this.attempt(this.n + 1);
      return;
    }
    const { res, req, requestId, app } = this;
    if (timedOut) {
      this.router.fail(
        res,
        req,
        504,
        'H12',
        'Request timeout',
        `${app} did not answer in time.`,
        requestId,
        app,
        this.timing(),
      );
      return;
    }
    this.router.fail(
      res,
      req,
      503,
      'H13',
      'Connection closed without response',
      `${app} is not answering.`,
      requestId,
      app,
      this.timing(),
    );
  }

  // ResponseEvents: the parsed response.
  onHead(h: ResponseHead): void {
    this.responded = true;
    this.status = h.status;
    this.keepAlive = h.keepAlive;
    const headers = h.headers;
    let hasId = false;
    for (let i = 0; i < headers.length; i += 2)
      if ((headers[i] as string).toLowerCase() === 'x-request-id') hasId = true;
    if (!hasId) headers.push('x-request-id', this.requestId);
    try {
      this.res.writeHead(h.status, h.statusText, headers);
    } catch (err) {
      this.responded = false; // a header Node will not send: answer as for a broken upstream
      throw err;
    }
  }

  onBody(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (!this.res.write(chunk)) {
      const socket = (this.conn as Conn).socket;
      socket.pause();
      this.res.once('drain', () => socket.resume());
    }
  }

  onEnd(): void {
    this.res.end();
    this.settle(this.keepAlive && this.bodySent && !this.parser?.trailing);
    this.logLine();
  }

  private settle(reusable: boolean): void {
    this.settled = true;
    this.router.count(this.endpoint as Endpoint, -1);
    this.conn?.release(reusable);
  }

  private timing() {
    return {
      dyno: this.endpoint?.name,
      connect: Math.round(this.connectMs),
      service: Math.round(performance.now() - this.started - this.connectMs),
    };
  }

  private logLine(): void {
    const { req } = this;
    const { onLine, log } = this.router.options;
    if (onLine) {
      onLine(
        this.app,
        routerLine({
          method: req.method,
          path: req.url,
          host: req.headers.host,
          requestId: this.requestId,
          fwd: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
          ...this.timing(),
          status: this.status,
          bytes: this.bytes,
        }),
      );
    }
    if (!log.isLevelEnabled('debug')) return;
    log.debug(
      {
        at: 'info',
        method: req.method,
        path: req.url,
        host: req.headers.host,
        request_id: this.requestId,
        fwd: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
        dyno: this.endpoint?.name,
        connect: Math.round(this.connectMs),
        service: Math.round(performance.now() - this.started - this.connectMs),
        status: this.status,
        bytes: this.bytes,
      },
      'router',
    );
  }
}
