/**
 * Logs: Heroku's log sessions (POST /apps/:app/log-sessions answers a `logplex_url` that
 * streams the lines, no Authorization needed: the URL carries a short-lived token), and a
 * WebSocket subscription at /apps/:app/log-stream. The URL streams plain text for curl,
 * NDJSON for `paas logs` (Accept: application/x-ndjson) and Server-Sent Events for the
 * Heroku CLI (Accept: text/event-stream; each line's id is its number, so a reconnect with
 * Last-Event-ID resumes after it).
 */
import type { ServerResponse } from 'node:http';
import { formatLogLine, LOG_HISTORY_LINES, logSessionBody, logSource } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireApp } from '../core/apps.js';
import type { AppRef, LogEntry, LogFilter, LogSink } from '../core/logs.js';
import type { Deps } from '../deps.js';
import { presentLogEntry, presentLogSession } from '../present.js';
import { baseUrl, parseBody } from './parse.js';

const KEEPALIVE_MS = 15_000;
/** Bytes a WebSocket subscriber may have unsent before it counts as congested. */
const WS_HIGH_WATER = 1024 * 1024;

type Format = 'text' | 'ndjson' | 'sse';

const entryJson = (app: AppRef, e: LogEntry) => JSON.stringify(presentLogEntry(app, e));

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

export function logRoutes(app: FastifyInstance, deps: Deps): void {
  const { logs, sessions } = deps;

  app.post<{ Params: { app: string } }>('/apps/:app/log-sessions', async (request, reply) => {
    const found = requireApp(deps, request.params.app);
    const body = parseBody(logSessionBody, request.body);
    const { token, session } = sessions.start(found, body);
    return reply.status(201).send(presentLogSession(session, `${baseUrl(request)}/log-sessions/${token}`));
  });

  app.get<{ Params: { token: string } }>(
    '/log-sessions/:token',
    { config: { auth: false } },
    async (request, reply) => {
      const lastId = Number(request.headers['last-event-id']);
      const { session, history, closed } = sessions.open(
        request.params.token,
        Number.isInteger(lastId) ? lastId : undefined,
      );
      reply.raw.once('close', closed);
      const accept = request.headers.accept ?? '';
      const format: Format = accept.includes('text/event-stream')
        ? 'sse'
        : accept.includes('application/x-ndjson')
          ? 'ndjson'
          : 'text';
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
      streamLive(raw, session.app, session.filter, format, session.expires);
    },
  );

  /** Tails an app's log into a hijacked HTTP response until the client goes, or `until`. */
  function streamLive(raw: ServerResponse, ref: AppRef, filter: LogFilter, format: Format, until: number): void {
    const sink: LogSink = {
      write: (e) => raw.write(render(format, ref, e)),
      onDrain: (callback) => raw.once('drain', callback),
    };
    const sub = logs.subscribe(ref, filter, sink);
    const keepalive = format === 'sse' ? setInterval(() => raw.write(': keep-alive\n\n'), KEEPALIVE_MS) : undefined;
    // The session's end is the tail's end (its reconnect is then refused: 404).
    const expiry = setTimeout(() => raw.end(), Math.max(0, until - Date.now()));
    raw.on('close', () => {
      clearInterval(keepalive);
      clearTimeout(expiry);
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
        const found = requireApp(deps, request.params.app);
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
