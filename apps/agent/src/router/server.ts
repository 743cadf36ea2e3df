/**
 * The HTTP router of the data plane: routes by Host to an app's web endpoints, round-robin,
 * over keep-alive upstream connections; streams bodies both ways; passes WebSocket upgrades
 * through; adds X-Forwarded-For/-Proto/-Port and X-Request-Id. A connection refused before
 * anything was sent is retried on the next endpoint. Errors get a short page and a log line in
 * the style of Heroku's router codes; every request gets a router log line.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger.js';
import { Exchange, routerLine } from './exchange.js';
import { requestHead } from './http1.js';
import type { Endpoint, RouteTable } from './table.js';
import { UpstreamPool } from './upstream.js';

export interface RouterOptions {
  port: number;
  host?: string;
  table: RouteTable;
  log: Logger;
  timeoutMs: number;
  /** Each request's line for its app's log (Heroku's router format). */
  onLine?: (app: string, line: string) => void;
}

const page = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>\n`;

export class Router {
  private readonly server: http.Server;
  readonly pool = new UpstreamPool();
  private readonly inflight = new Map<string, number>();
  port = 0;

  constructor(readonly options: RouterOptions) {
    this.server = http.createServer({ noDelay: true }, (req, res) => this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.server.keepAliveTimeout = 65_000;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host ?? '0.0.0.0', () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  async close(): Promise<void> {
    this.server.closeIdleConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.pool.destroy();
  }

  /** Requests in flight to an endpoint (the reconciler waits for 0 before SIGTERM). */
  inflightTo(endpoint: { host: string; port: number }): number {
    return this.inflight.get(`${endpoint.host}:${endpoint.port}`) ?? 0;
  }

  count(e: Endpoint, delta: number): void {
    const key = `${e.host}:${e.port}`;
    const n = (this.inflight.get(key) ?? 0) + delta;
    if (n <= 0) this.inflight.delete(key);
    else this.inflight.set(key, n);
  }

  /** The headers the router sets on the way in; the client's own X-Request-Id is kept. */
  forwardedHeaders(req: http.IncomingMessage, requestId: string): Record<string, string> {
    const client = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
    const prior = req.headers['x-forwarded-for'];
    return {
      'x-forwarded-for': prior ? `${prior}, ${client}` : client,
      'x-forwarded-proto': 'http',
      'x-forwarded-port': String(this.port),
      'x-request-id': requestId,
    };
  }

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
  ): void {
    if (app && this.options.onLine) {
      this.options.onLine(
        app,
        routerLine({
          code: code ?? undefined,
          desc,
          method: req.method,
          path: req.url,
          host: req.headers.host,
          requestId,
          fwd: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
          connect: 0,
          service: 0,
          ...timing,
          status,
          bytes: 0,
        }),
      );
    }
    this.options.log[code ? 'error' : 'info'](
      {
        at: code ? 'error' : 'info',
        code,
        desc,
        method: req.method,
        path: req.url,
        host: req.headers.host,
        request_id: requestId,
        status,
      },
      'router',
    );
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'x-request-id': requestId });
    res.end(page(status === 404 ? 'No such app' : 'Application error', text));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const requestId = (req.headers['x-request-id'] as string | undefined) || randomUUID();
    const routes = this.options.table.lookup(req.headers.host);
    if (!routes) {
      this.fail(
        res,
        req,
        404,
        null,
        'Unknown host',
        `There is no app at ${req.headers.host ?? 'this address'}.`,
        requestId,
      );
      return;
    }
    const candidates = this.options.table.pick(routes);
    if (candidates.length === 0) {
      this.fail(
        res,
        req,
        503,
        'H14',
        'No web processes running',
        `${routes.app} has no web processes running.`,
        requestId,
        routes.app,
      );
      return;
    }
    new Exchange(this, req, res, routes.app, candidates, requestId).attempt(0);
  }

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const requestId = (req.headers['x-request-id'] as string | undefined) || randomUUID();
    const routes = this.options.table.lookup(req.headers.host);
    const endpoint = routes ? this.options.table.pick(routes)[0] : undefined;
    if (!routes || !endpoint) {
      socket.end(`HTTP/1.1 ${routes ? '503 Service Unavailable' : '404 Not Found'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    const upstream = net.connect({ host: endpoint.host, port: endpoint.port });
    upstream.on('connect', () => {
      const added = {
        ...this.forwardedHeaders(req, requestId),
        connection: 'Upgrade',
        upgrade: req.headers.upgrade ?? '',
      };
      upstream.write(requestHead(req.method ?? 'GET', req.url ?? '/', req.rawHeaders, added, 'none'));
      if (head.length) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    upstream.on('error', () => {
      if (socket.writable) socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      close();
    });
    socket.on('error', close);
    upstream.on('close', () => socket.end());
    socket.on('close', () => upstream.destroy());
  }
}
