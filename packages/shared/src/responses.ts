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

export const releaseStatus = z.enum(['pending', 'succeeded', 'failed']);
export type ReleaseStatus = z.infer<typeof releaseStatus>;

/**
 * A release (Heroku's shape). `status` moves once, from `pending` (its release command runs)
 * to `succeeded` or `failed`; `current` is the newest that succeeded (what runs);
 * `eligible_for_rollback` is every succeeded release with an image, the current one included,
 * so the second of them, newest first, is where a bare `rollback` goes (as the Heroku CLI
 * picks it). `output_stream_url` streams its release command's output, with no Authorization
 * (the URL carries an expiring token); null when it has no release command.
 */
export const releaseResponse = z.object({
  id: z.string(),
  version: z.number().int(),
  description: z.string(),
  status: releaseStatus,
  current: z.boolean(),
  eligible_for_rollback: z.boolean(),
  app: appRef,
  user: z.object({ id: z.string(), email: z.string() }),
  slug: z.null(),
  addon_plan_names: z.array(z.string()),
  artifacts: z.array(z.unknown()),
  output_stream_url: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  /** paas: the image the release runs, pinned by id (null before the first deploy). */
  image: z.object({ id: z.string(), tag: z.string().nullable() }).nullable(),
  /** paas: process type → command; null means the image's own CMD. `release` is the release command. */
  process_types: z.record(z.string(), z.string().nullable()),
  build: z.object({ id: z.string() }).nullable(),
});
export type Release = z.infer<typeof releaseResponse>;

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
