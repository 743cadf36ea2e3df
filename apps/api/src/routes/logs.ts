/**
 * Logs: Heroku's log sessions (POST /apps/:app/log-sessions answers a `logplex_url` that
 * streams the lines, no Authorization needed: the URL carries a short-lived token), and a
 * WebSocket subscription at /apps/:app/log-stream. The URL streams plain text for curl,
 * NDJSON for `paas logs` (Accept: application/x-ndjson) and Server-Sent Events for the
 * Heroku CLI (Accept: text/event-stream; each line's id is its number, so a reconnect with
 * Last-Event-ID resumes after it).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { formatLogLine, LOG_HISTORY_LINES, logSessionBody, logSource } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireApp } from '../core/apps.js';
import type { AppRef, LogEntry, LogFilter, LogSink } from '../core/logs.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { baseUrl, parseBody } from './parse.js';

/** A log session's URL may be opened (and reopened) for this long after it was made. */
const SESSION_TTL_MS = 5 * 60_000;
const KEEPALIVE_MS = 15_000;
/** Bytes a WebSocket subscriber may have unsent before it counts as congested. */
const WS_HIGH_WATER = 1024 * 1024;

interface Session {
  id: string;
  app: AppRef;
  lines: number;
  tail: boolean;
  filter: LogFilter;
  createdAt: string;
  expires: number;
}

type Format = 'text' | 'ndjson' | 'sse';

const entryJson = (app: AppRef, e: LogEntry) =>
  JSON.stringify({ id: e.seq, app: app.name, ts: e.ts, source: e.source, process: e.process, line: e.line });

function render(format: Format, app: AppRef, e: LogEntry): string {
  if (format === 'ndjson') return `${entryJson(app, e)}\n`;
  const line = formatLogLine(e);
  return format === 'sse' ? `id: ${e.seq}\ndata: ${line}\n\n` : `${line}\n`;
}

const streamQuery = z
  .object({
    num: z.coerce.number().int().min(0).max(LOG_HISTORY_LINES).default(100),
    tail: z.enum(['true', 'false', '1', '0']).default('true'),
    ps: z.string().min(1).max(64).optional(),
    source: logSource.optional(),
  })
  .strict();

export function logRoutes(app: FastifyInstance, { db, logs }: Deps): void {
  const sessions = new Map<string, Session>();
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [token, s] of sessions) if (s.expires < now) sessions.delete(token);
  }, 60_000);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));

  app.post<{ Params: { app: string } }>('/apps/:app/log-sessions', async (request, reply) => {
    const found = requireApp(db, request.params.app);
    const body = parseBody(logSessionBody, request.body);
    const token = randomBytes(24).toString('base64url');
    const createdAt = new Date().toISOString();
    const session: Session = {
      id: randomUUID(),
      app: { id: found.id, name: found.name },
      lines: body.lines ?? 100,
      tail: body.tail ?? false,
      filter: { ps: body.dyno, source: body.source },
      createdAt,
      expires: Date.now() + SESSION_TTL_MS,
    };
    sessions.set(token, session);
    return reply.status(201).send({
      id: session.id,
      logplex_url: `${baseUrl(request)}/log-sessions/${token}`,
      created_at: createdAt,
      updated_at: createdAt,
    });
  });

  app.get<{ Params: { token: string } }>(
    '/log-sessions/:token',
    { config: { auth: false } },
    async (request, reply) => {
      const session = sessions.get(request.params.token);
      if (!session || session.expires < Date.now()) throw notFound('This log session has expired: start a new one.');
      const accept = request.headers.accept ?? '';
      const format: Format = accept.includes('text/event-stream')
        ? 'sse'
        : accept.includes('application/x-ndjson')
          ? 'ndjson'
          : 'text';
      const lastId = Number(request.headers['last-event-id']);
      const history = Number.isInteger(lastId)
        ? logs.since(session.app, session.filter, lastId)
        : logs.recent(session.app, session.filter, session.lines);
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        'content-type':
          format === 'sse'
            ? 'text/event-stream'
            : format === 'ndjson'
              ? 'application/x-ndjson'
              : 'text/plain; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
      });
      raw.flushHeaders(); // a tail with no history yet still answers at once
      // A non-tail SSE session ends promptly: the client's reconnect (after `retry` ms) with
      // Last-Event-ID gets only what came since, and the session ends again.
      let out = format === 'sse' ? `retry: ${session.tail ? 1000 : 50}\n\n` : '';
      for (const e of history) out += render(format, session.app, e);
      if (!session.tail) {
        raw.end(out);
        return;
      }
      if (out) raw.write(out);
      streamLive(raw, session.app, session.filter, format);
    },
  );

  /** Tails an app's log into a hijacked HTTP response until the client goes. */
  function streamLive(raw: ServerResponse, ref: AppRef, filter: LogFilter, format: Format): void {
    const sink: LogSink = {
      write: (e) => raw.write(render(format, ref, e)),
      onDrain: (callback) => raw.once('drain', callback),
    };
    const sub = logs.subscribe(ref, filter, sink);
    const keepalive = format === 'sse' ? setInterval(() => raw.write(': keep-alive\n\n'), KEEPALIVE_MS) : undefined;
    raw.on('close', () => {
      clearInterval(keepalive);
      logs.unsubscribe(ref, sub);
    });
  }

  app.get<{ Params: { app: string }; Querystring: Record<string, string> }>(
    '/apps/:app/log-stream',
    { websocket: true },
    (socket, request) => {
      let ref: AppRef;
      let query: z.infer<typeof streamQuery>;
      try {
        const found = requireApp(db, request.params.app);
        ref = { id: found.id, name: found.name };
        query = parseBody(streamQuery, request.query);
      } catch (err) {
        socket.close(4000, (err as Error).message.slice(0, 120));
        return;
      }
      const filter: LogFilter = { ps: query.ps, source: query.source };
      for (const e of logs.recent(ref, filter, query.num)) socket.send(entryJson(ref, e));
      if (query.tail === 'false' || query.tail === '0') {
        socket.close(1000, 'end of history');
        return;
      }
      const sink: LogSink = {
        write: (e) => {
          socket.send(entryJson(ref, e));
          return socket.bufferedAmount < WS_HIGH_WATER;
        },
        onDrain: (callback) => {
          const poll = setInterval(() => {
            if (socket.readyState !== socket.OPEN) clearInterval(poll);
            else if (socket.bufferedAmount < WS_HIGH_WATER / 2) {
              clearInterval(poll);
              callback();
            }
          }, 50);
        },
      };
      const sub = logs.subscribe(ref, filter, sink);
      socket.on('close', () => logs.unsubscribe(ref, sub));
    },
  );
}
