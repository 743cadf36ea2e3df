/**
 * Response shapes the api answers and the CLI reads, as zod schemas (the schema is the type):
 * dynos, domains, drains and log entries, in the Heroku Platform API v3's shapes plus a few
 * paas fields. The api types its presenters with them; the CLI types what it reads.
 */
import { z } from 'zod';
import { logSource } from './logs.js';
import { processState } from './protocol.js';

const appRef = z.object({ id: z.string(), name: z.string() });

export const dynoResponse = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  state: processState,
  command: z.string(),
  size: z.string(),
  attach_url: z.string().nullable(),
  app: appRef,
  release: z.object({ id: z.string(), version: z.number().int() }),
  created_at: z.string(),
  updated_at: z.string(),
  /** paas: the agent running it, its last exit code, restarts, and where it listens. */
  agent: z.string(),
  exit_code: z.number().int().nullable(),
  restarts: z.number().int(),
  endpoint: z.object({ host: z.string(), port: z.number().int() }).nullable(),
});
export type DynoResponse = z.infer<typeof dynoResponse>;

export const domainResponse = z.object({
  id: z.string(),
  hostname: z.string(),
  /** `heroku`: the app's default host; `custom`: added with domains:add. */
  kind: z.enum(['heroku', 'custom']),
  cname: z.string().nullable(),
  status: z.string(),
  app: appRef,
  created_at: z.string(),
  updated_at: z.string(),
});
export type DomainResponse = z.infer<typeof domainResponse>;

export const drainResponse = z.object({
  id: z.string(),
  url: z.string(),
  token: z.string(),
  addon: z.null(),
  app: appRef,
  created_at: z.string(),
  updated_at: z.string(),
});
export type DrainResponse = z.infer<typeof drainResponse>;

/** One log line as NDJSON and the WebSocket stream carry it; `id` is what a reconnect resumes after. */
export const logEntryResponse = z.object({
  id: z.number().int(),
  app: z.string(),
  ts: z.string(),
  source: logSource,
  process: z.string(),
  line: z.string(),
});
export type LogEntryResponse = z.infer<typeof logEntryResponse>;
