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
import type { Endpoint, RouteTable } from './table.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'proxy-authorization',
  'proxy-authenticate',
]);

export interface RouterOptions {
  port: number;
  host?: string;
  table: RouteTable;
  log: Logger;
  timeoutMs: number;
}

const page = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>\n`;

export class Router {
  private readonly server: http.Server;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 64 });
  private readonly inflight = new Map<string, number>();
  port = 0;

  constructor(private readonly options: RouterOptions) {
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
    this.agent.destroy();
  }

  /** Requests in flight to an endpoint (the reconciler waits for 0 before SIGTERM). */
  inflightTo(endpoint: { host: string; port: number }): number {
    return this.inflight.get(`${endpoint.host}:${endpoint.port}`) ?? 0;
  }

  private count(e: Endpoint, delta: number): void {
    const key = `${e.host}:${e.port}`;
    const n = (this.inflight.get(key) ?? 0) + delta;
    if (n <= 0) this.inflight.delete(key);
    else this.inflight.set(key, n);
  }

  private forwardHeaders(req: http.IncomingMessage, requestId: string): http.OutgoingHttpHeaders {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
    const client = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
    const prior = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = prior ? `${prior}, ${client}` : client;
    headers['x-forwarded-proto'] = 'http';
    headers['x-forwarded-port'] = String(this.port);
    headers['x-request-id'] = requestId;
    return headers;
  }

  private fail(
    res: http.ServerResponse,
    req: http.IncomingMessage,
    status: number,
    code: string | null,
    desc: string,
    text: string,
    requestId: string,
  ): void {
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
    const started = performance.now();
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
      );
      return;
    }
    req.pause();
    let reqEnded = false;
    req.once('end', () => {
      reqEnded = true;
    });

    const attempt = (i: number) => {
      const endpoint = candidates[i] as Endpoint;
      let connectMs = 0;
      let connected = false;
      let responded = false;
      this.count(endpoint, 1);
      let counted = true;
      const done = () => {
        if (counted) this.count(endpoint, -1);
        counted = false;
      };
      const upstream = http.request({
        host: endpoint.host,
        port: endpoint.port,
        method: req.method,
        path: req.url,
        headers: this.forwardHeaders(req, requestId),
        agent: this.agent,
      });
      const onConnect = () => {
        connected = true;
        connectMs = performance.now() - started;
        if (reqEnded) upstream.end();
        else {
          req.pipe(upstream);
          req.resume();
        }
      };
      upstream.on('socket', (socket) => {
        (socket as net.Socket).setNoDelay(true);
        if ((socket as net.Socket).connecting) socket.once('connect', onConnect);
        else onConnect();
      });
      upstream.setTimeout(this.options.timeoutMs, () => {
        upstream.destroy(new Error('upstream timeout'));
      });
      upstream.on('response', (up) => {
        responded = true;
        const headers: http.OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
        headers['x-request-id'] ??= requestId;
        res.writeHead(up.statusCode ?? 502, up.statusMessage, headers);
        up.pipe(res);
        let bytes = 0;
        up.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on('close', () => {
          done();
          if (!up.complete) up.destroy();
          this.options.log.info(
            {
              at: 'info',
              method: req.method,
              path: req.url,
              host: req.headers.host,
              request_id: requestId,
              fwd: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
              dyno: endpoint.name,
              connect: Math.round(connectMs),
              service: Math.round(performance.now() - started - connectMs),
              status: up.statusCode,
              bytes,
            },
            'router',
          );
        });
      });
      upstream.on('error', (err) => {
        done();
        if (res.destroyed && !res.writableFinished) return; // the client went away: nothing to answer
        if (responded) {
          res.destroy();
          return;
        }
        const timedOut = err.message === 'upstream timeout';
        const retryable = !connected || (reqEnded && !timedOut && (req.method === 'GET' || req.method === 'HEAD'));
        if (!timedOut && retryable && i + 1 < candidates.length) return attempt(i + 1);
        if (timedOut) {
          return this.fail(res, req, 504, 'H12', 'Request timeout', `${routes.app} did not answer in time.`, requestId);
        }
        this.fail(
          res,
          req,
          503,
          'H13',
          'Connection closed without response',
          `${routes.app} is not answering.`,
          requestId,
        );
      });
      res.on('close', () => {
        if (!res.writableFinished && !responded) upstream.destroy();
      });
    };
    attempt(0);
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
      const headers = this.forwardHeaders(req, requestId);
      headers.connection = 'Upgrade';
      headers.upgrade = req.headers.upgrade;
      let head_ = `${req.method} ${req.url} HTTP/1.1\r\n`;
      for (const [k, v] of Object.entries(headers)) {
        for (const value of Array.isArray(v) ? v : [v]) if (value !== undefined) head_ += `${k}: ${value}\r\n`;
      }
      upstream.write(`${head_}\r\n`);
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
