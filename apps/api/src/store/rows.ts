/** Rows as read from the store, parsed by zod so that a bad row fails loudly at the boundary. */
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
