/** Rows as read from the store, parsed by zod so that a bad row fails loudly at the boundary. */
import { logLine } from '@paas/shared';
import { z } from 'zod';

const json = <T extends z.ZodType>(inner: T) =>
  z.string().transform((s, ctx) => {
    try {
      return inner.parse(JSON.parse(s)) as z.infer<T>;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not valid JSON of the expected shape' });
      return z.NEVER;
    }
  });

export const appRow = z.object({
  id: z.string(),
  name: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  destroyed_at: z.string().nullable(),
});
export type AppRow = z.infer<typeof appRow>;

export const configMap = z.record(z.string(), z.string());
export type ConfigMap = z.infer<typeof configMap>;
export const processTypes = z.record(z.string(), z.string().nullable());
export type ProcessTypes = z.infer<typeof processTypes>;

export const releaseRow = z.object({
  id: z.string(),
  app_id: z.string(),
  version: z.number().int(),
  image_id: z.string().nullable(),
  image_tag: z.string().nullable(),
  config: json(configMap),
  process_types: json(processTypes),
  description: z.string(),
  user_email: z.string(),
  build_id: z.string().nullable(),
  created_at: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
});
export type ReleaseRow = z.infer<typeof releaseRow>;

export const buildRow = z.object({
  id: z.string(),
  app_id: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  commit_sha: z.string(),
  image_id: z.string().nullable(),
  image_tag: z.string().nullable(),
  output: z.string(),
  user_email: z.string(),
  release_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type BuildRow = z.infer<typeof buildRow>;

export const formationRow = z.object({
  id: z.string(),
  app_id: z.string(),
  type: z.string(),
  quantity: z.number().int(),
  size: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type FormationRow = z.infer<typeof formationRow>;

/** One line of an app's log as the log router numbers and the store keeps it. */
export const logEntryRow = logLine.extend({
  /** Per app, increasing: the id a subscriber resumes after. */
  seq: z.number().int(),
});
export type LogEntry = z.infer<typeof logEntryRow>;

export const domainRow = z.object({
  id: z.string(),
  app_id: z.string(),
  hostname: z.string(),
  created_at: z.string(),
});
export type DomainRow = z.infer<typeof domainRow>;

export const drainRow = z.object({
  id: z.string(),
  app_id: z.string(),
  url: z.string(),
  token: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type DrainRow = z.infer<typeof drainRow>;

export const agentRow = z.object({
  id: z.string(),
  hostname: z.string(),
  capacity: z.number().int(),
  last_seen: z.string(),
});
export type AgentRow = z.infer<typeof agentRow>;

export const placementRow = z.object({ key: z.string(), agent_id: z.string() });
export const restartRow = z.object({ scope: z.string(), at: z.string() });
export const tokenRow = z.object({ id: z.string(), token_hash: z.string(), email: z.string() });
export const settingRow = z.object({ value: z.string() });

/** A one-off process (`paas run`): see migrations/006_one_offs.sql. */
export const oneOffRow = z.object({
  id: z.string(),
  app_id: z.string(),
  number: z.number().int().positive(),
  release_id: z.string(),
  type: z.string(),
  command: z.string(),
  env: json(configMap),
  size: z.string(),
  attach: z.number().transform((n) => n === 1),
  tty: z.number().transform((n) => n === 1),
  timeout: z.number().int().positive(),
  user_email: z.string(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
  exit_code: z.number().int().nullable(),
});
export type OneOffRow = z.infer<typeof oneOffRow>;
export const nextNumberRow = z.object({ n: z.number().int().positive() });
/** What a release phase printed and how it ended (one row per release that ran its command). */
export const releaseOutputRow = z.object({
  release_id: z.string(),
  app_id: z.string(),
  process: z.string(),
  command: z.string(),
  output: z.string(),
  dropped: z.number().int(),
  exit_code: z.number().int().nullable(),
  reason: z.string().nullable(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
});
export type ReleaseOutputRow = z.infer<typeof releaseOutputRow>;

export const addonSecrets = z.object({
  user: z.string(),
  password: z.string(),
  database: z.string(),
});
export type AddonSecrets = z.infer<typeof addonSecrets>;

export const addonRow = z.object({
  id: z.string(),
  name: z.string(),
  app_id: z.string(),
  service: z.enum(['heroku-postgresql', 'heroku-redis']),
  plan: z.string(),
  state: z.enum(['provisioning', 'provisioned', 'deprovisioned']),
  secrets: json(addonSecrets),
  agent_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type AddonRow = z.infer<typeof addonRow>;

export const attachmentRow = z.object({
  id: z.string(),
  addon_id: z.string(),
  app_id: z.string(),
  name: z.string(),
  released: z
    .number()
    .int()
    .transform((n) => n === 1),
  created_at: z.string(),
});
export type AttachmentRow = z.infer<typeof attachmentRow>;

export const backupRow = z.object({
  id: z.string(),
  app_id: z.string(),
  addon_id: z.string(),
  num: z.number().int(),
  status: z.enum(['running', 'succeeded', 'failed']),
  size: z.number().int(),
  error: z.string().nullable(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
});
export type BackupRow = z.infer<typeof backupRow>;

/** An agent's credential: see migrations/011_agents.sql. */
export const agentCredentialRow = z.object({ agent_id: z.string(), secret_hash: z.string(), created_at: z.string() });
export type AgentCredentialRow = z.infer<typeof agentCredentialRow>;
