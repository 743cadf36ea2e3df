/** Add-on request bodies and responses (Heroku's Platform API shapes), as zod schemas. */
import { z } from 'zod';

const ref = z.object({ id: z.string().optional(), name: z.string().optional() });

/** POST /apps/{app}/addons: `plan` is an object ({name: "heroku-postgresql:essential-0"}). */
export const addonCreateBody = z.object({
  plan: z.union([
    z.object({ name: z.string().min(1) }),
    z
      .string()
      .min(1)
      .transform((name) => ({ name })),
  ]),
  attachment: z.object({ name: z.string().min(1).optional() }).optional(),
  name: z.string().min(1).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  confirm: z.string().optional(),
});
export type AddonCreateBody = z.infer<typeof addonCreateBody>;

/** POST /addon-attachments. */
export const attachmentCreateBody = z.object({
  addon: ref,
  app: ref,
  name: z.string().min(1).optional(),
  confirm: z.string().optional(),
});

export const addonResolveBody = z.object({
  addon: z.string().min(1),
  app: z.string().nullable().optional(),
  addon_service: z.string().nullable().optional(),
});

export const attachmentResolveBody = z.object({
  addon_attachment: z.string().min(1),
  app: z.string().nullable().optional(),
  addon_service: z.string().nullable().optional(),
});

const appRef = z.object({ id: z.string(), name: z.string() });

export const ADDON_STATES = ['provisioning', 'provisioned', 'deprovisioned'] as const;

export const addonResponse = z.object({
  id: z.string(),
  name: z.string(),
  state: z.enum(ADDON_STATES),
  addon_service: z.object({ id: z.string(), name: z.string() }),
  plan: z.object({ id: z.string(), name: z.string() }),
  app: appRef,
  config_vars: z.array(z.string()),
  provision_message: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type AddonResponse = z.infer<typeof addonResponse>;

export const attachmentResponse = z.object({
  id: z.string(),
  name: z.string(),
  addon: z.object({ id: z.string(), name: z.string(), app: appRef }),
  app: appRef,
  config_vars: z.array(z.string()),
  created_at: z.string(),
});
export type AttachmentResponse = z.infer<typeof attachmentResponse>;

export const backupResponse = z.object({
  id: z.string(),
  /** b001, b002 … */
  name: z.string(),
  num: z.number().int(),
  status: z.enum(['running', 'succeeded', 'failed']),
  size: z.number().int(),
  error: z.string().nullable(),
  addon: z.object({ id: z.string() }),
  app: appRef,
  created_at: z.string(),
  finished_at: z.string().nullable(),
});
export type BackupResponse = z.infer<typeof backupResponse>;
