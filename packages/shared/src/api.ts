/**
 * The public API's request bodies (zod: validator and type in one) and response shapes.
 * Paths and fields follow the Heroku Platform API v3 so that Heroku tooling can talk to us.
 */
import { z } from 'zod';
import {
  APP_NAME_RE,
  APP_NAME_RULE,
  CONFIG_KEY_RE,
  CONFIG_KEY_RULE,
  CONFIG_VALUE_MAX_BYTES,
  FORMATION_MAX_QUANTITY,
  PROCESS_TYPE_RE,
  RESERVED_CONFIG_KEYS,
  RUN_TIMEOUT_MAX_SECONDS,
  STOP_TIMEOUT_MAX_SECONDS,
} from './names.js';

export const appName = z.string().regex(APP_NAME_RE, APP_NAME_RULE);

export const appCreateBody = z.object({ name: appName.optional() }).strict();
export type AppCreateBody = z.infer<typeof appCreateBody>;

const reserved = new Set<string>(RESERVED_CONFIG_KEYS);

/** POST /apps/:app/domains: a host name the router should send to this app. */
export const domainCreateBody = z
  .object({
    hostname: z
      .string()
      .max(253)
      .regex(
        /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i,
        'must be a host name like www.example.com',
      )
      .transform((h) => h.toLowerCase()),
  })
  .strict();

/** PAAS_HEALTHCHECK_PATH: a request path the agent can put in a request line as is. */
const HEALTHCHECK_PATH_RE = /^\/[\x21-\x7e]{0,1023}$/;

/** POST /apps/:app/log-drains: where to also send the app's log lines. */
export const drainCreateBody = z
  .object({
    url: z
      .string()
      .max(1000, 'must be at most 1000 characters')
      .superRefine((url, ctx) => {
        let parsed: URL;
        try {
          parsed = new URL(url);
        } catch {
          ctx.addIssue({
            code: 'custom',
            message: 'must be a URL like https://logs.example.com/paas or syslog+tcp://host:514',
          });
          return;
        }
        if (!['https:', 'http:', 'syslog+tcp:'].includes(parsed.protocol)) {
          ctx.addIssue({ code: 'custom', message: 'must start with https://, http:// or syslog+tcp://' });
        } else if (!parsed.hostname) {
          ctx.addIssue({ code: 'custom', message: 'must name a host' });
        } else if (parsed.protocol === 'syslog+tcp:' && !parsed.port) {
          ctx.addIssue({ code: 'custom', message: 'syslog+tcp:// needs a port, like syslog+tcp://host:514' });
        }
      }),
  })
  .strict();
export type DrainCreateBody = z.infer<typeof drainCreateBody>;

/** Config vars the platform reads as seconds: the stop (SIGTERM → SIGKILL) and boot timeouts. */
const SECONDS_VARS = new Set(['PAAS_STOP_TIMEOUT', 'PAAS_BOOT_TIMEOUT']);
const isSeconds = (value: string) => /^[1-9]\d{0,3}$/.test(value) && Number(value) <= STOP_TIMEOUT_MAX_SECONDS;
/** PAAS_RUN_TIMEOUT: how long a one-off of the app may run, in seconds. */
const isRunTimeout = (value: string) => /^[1-9]\d{0,6}$/.test(value) && Number(value) <= RUN_TIMEOUT_MAX_SECONDS;

/** PATCH /apps/:app/config-vars: name → value, or null to unset. */
export const configVarsPatch = z
  .record(z.string(), z.string().nullable(), {
    error: 'must be an object of config var names to string values (or null to unset)',
  })
  .superRefine((vars, ctx) => {
    if (Object.keys(vars).length === 0) {
      ctx.addIssue({ code: 'custom', message: 'must set or unset at least one config var', path: [] });
    }
    for (const [key, value] of Object.entries(vars)) {
      if (!CONFIG_KEY_RE.test(key)) {
        ctx.addIssue({ code: 'custom', message: CONFIG_KEY_RULE, path: [key] });
      } else if (reserved.has(key)) {
        ctx.addIssue({ code: 'custom', message: `${key} is set by the platform and cannot be changed`, path: [key] });
      }
      if (key === 'PAAS_HEALTHCHECK_PATH' && value !== null && !HEALTHCHECK_PATH_RE.test(value)) {
        ctx.addIssue({ code: 'custom', message: 'must be a path that starts with /, like /healthz', path: [key] });
      }
      if (SECONDS_VARS.has(key) && value !== null && !isSeconds(value)) {
        ctx.addIssue({ code: 'custom', message: 'must be a whole number of seconds from 1 to 3600', path: [key] });
      }
      if (key === 'PAAS_RUN_TIMEOUT' && value !== null && !isRunTimeout(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a whole number of seconds from 1 to ${RUN_TIMEOUT_MAX_SECONDS}`,
          path: [key],
        });
      }
      if (value !== null && Buffer.byteLength(value, 'utf8') > CONFIG_VALUE_MAX_BYTES) {
        ctx.addIssue({ code: 'custom', message: `value is longer than ${CONFIG_VALUE_MAX_BYTES} bytes`, path: [key] });
      }
    }
  });
export type ConfigVarsPatch = z.infer<typeof configVarsPatch>;

/** POST /apps/:app/releases: roll back to a release, by id or version. */
export const releaseCreateBody = z
  .object({
    release: z.union([z.string().min(1), z.number().int().positive()]),
    description: z.string().max(500).optional(),
  })
  .strict();
export type ReleaseCreateBody = z.infer<typeof releaseCreateBody>;

/** A formation quantity: a number, or (as the Heroku CLI sends it) a string, maybe relative ("+1", "-2"). */
export const formationQuantity = z.union([
  z.number().int().min(0).max(FORMATION_MAX_QUANTITY),
  z.string().regex(/^[+-]?\d{1,3}$/, 'must be a whole number, or relative like "+1" or "-1"'),
]);
export const formationSize = z.string().min(1).max(50);

export const formationUpdate = z
  .object({ quantity: formationQuantity.optional(), size: formationSize.optional() })
  .strict();
export const formationBatchUpdate = z
  .object({
    updates: z
      .array(
        z
          .object({
            type: z.string().regex(PROCESS_TYPE_RE, 'is not a valid process type'),
            quantity: formationQuantity.optional(),
            size: formationSize.optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type FormationUpdate = z.infer<typeof formationUpdate>;
export type FormationBatchUpdate = z.infer<typeof formationBatchUpdate>;

/** Turns a zod error into one line that names every bad field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.map(String).join('.');
      return where ? `${where}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

// ---- response shapes -------------------------------------------------------------

export interface ErrorBody {
  id: string;
  message: string;
}

export interface Ref {
  id: string;
  name?: string;
}

export interface App {
  id: string;
  name: string;
  owner: { id: string; email: string };
  organization: null;
  team: null;
  region: { id: string; name: string };
  stack: { id: string; name: string };
  build_stack: { id: string; name: string };
  generation: { id: string; name: string };
  space: null;
  acm: boolean;
  maintenance: boolean;
  create_status: 'complete';
  repo_size: number | null;
  slug_size: number | null;
  git_url: string;
  web_url: string;
  buildpack_provided_description: string | null;
  internal_routing: null;
  archived_at: null;
  created_at: string;
  updated_at: string;
  released_at: string | null;
}

export type BuildStatus = 'pending' | 'succeeded' | 'failed';

export interface Build {
  id: string;
  app: Ref;
  status: BuildStatus;
  source_blob: { url: null; version: string; version_description: string | null; checksum: null };
  buildpacks: null;
  stack: string;
  slug: null;
  release: { id: string; version: number } | null;
  user: { id: string; email: string };
  output_stream_url: string | null;
  created_at: string;
  updated_at: string;
  /** paas: the image the build produced. */
  image: { id: string; tag: string } | null;
  /** paas: the build's whole output (build info only). */
  output?: string;
}

export interface Formation {
  id: string;
  app: Ref;
  type: string;
  quantity: number;
  size: string;
  command: string | null;
  created_at: string;
  updated_at: string;
}

export interface Account {
  id: string;
  email: string;
  name: string | null;
}

/** POST /apps/:app/sni-endpoints (Heroku's shape): a certificate (and its chain) and its key, PEM. */
export const sniEndpointCreateBody = z.object({
  certificate_chain: z.string().min(1).max(100_000),
  private_key: z.string().min(1).max(100_000),
});
export type SniEndpointCreateBody = z.infer<typeof sniEndpointCreateBody>;

export interface SniEndpointResponse {
  id: string;
  name: string;
  certificate_chain: string;
  app: { id: string; name: string };
  domains: string[];
  ssl_cert: { cert_domains: string[]; subject: string; issuer: string; starts_at: string; expires_at: string };
  created_at: string;
  updated_at: string;
}

/**
 * PUT /apps/:app/buildpack-installations (Heroku's shape): the builder to force, as the app's
 * PAAS_BUILDER config var (paas builds with one builder: at most one update; none = detect).
 */
export const buildpackInstallationsUpdate = z.object({
  updates: z
    .array(z.object({ buildpack: z.string().min(1).max(200) }), { error: 'updates must be a list of { buildpack }' })
    .max(1, { error: 'paas builds an app with one builder: give at most one buildpack' }),
});

export interface BuildpackInstallation {
  ordinal: number;
  buildpack: { url: string; name: string };
}
