/** The request body of a one-off process (`paas run`, `heroku run`): Heroku's dyno create. */
import { z } from 'zod';
import { formationSize } from './api.js';
import {
  CONFIG_KEY_RE,
  CONFIG_KEY_RULE,
  CONFIG_VALUE_MAX_BYTES,
  PROCESS_TYPE_RE,
  RESERVED_CONFIG_KEYS,
  RUN_COMMAND_MAX_BYTES,
  RUN_ENV_MAX,
  RUN_TIMEOUT_MAX_SECONDS,
} from './names.js';
import type { DynoResponse } from './responses.js';

const reserved = new Set<string>(RESERVED_CONFIG_KEYS);

/**
 * POST /apps/:app/dynos: a one-off process (Heroku's dyno create). `env` values may come as
 * numbers (the Heroku CLI sends COLUMNS and LINES so); they become strings. Unknown fields are
 * ignored, as Heroku tooling may send more.
 */
export const dynoCreateBody = z.object({
  command: z
    .string({ error: 'is required: the command to run' })
    .refine((c) => c.trim().length > 0, 'must not be empty')
    .refine(
      (c) => Buffer.byteLength(c, 'utf8') <= RUN_COMMAND_MAX_BYTES,
      `is longer than ${RUN_COMMAND_MAX_BYTES} bytes, the most a one-off command may be`,
    ),
  attach: z.boolean().nullable().optional(),
  env: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String), {
      error: 'must be an object of variable names to values',
    })
    .superRefine((vars, ctx) => {
      const keys = Object.keys(vars);
      if (keys.length > RUN_ENV_MAX) ctx.addIssue({ code: 'custom', message: `at most ${RUN_ENV_MAX} variables` });
      for (const key of keys) {
        if (!CONFIG_KEY_RE.test(key))
          ctx.addIssue({ code: 'custom', message: `${key}: ${CONFIG_KEY_RULE}`, path: [key] });
        else if (reserved.has(key)) {
          ctx.addIssue({ code: 'custom', message: `${key} is set by the platform and cannot be changed`, path: [key] });
        }
        if (Buffer.byteLength(vars[key] ?? '', 'utf8') > CONFIG_VALUE_MAX_BYTES) {
          ctx.addIssue({
            code: 'custom',
            message: `value is longer than ${CONFIG_VALUE_MAX_BYTES} bytes`,
            path: [key],
          });
        }
      }
    })
    .nullable()
    .optional(),
  force_no_tty: z.boolean().nullable().optional(),
  size: formationSize.nullable().optional(),
  type: z.string().regex(PROCESS_TYPE_RE, 'is not a valid process type').nullable().optional(),
  time_to_live: z.number().int().positive().max(RUN_TIMEOUT_MAX_SECONDS).nullable().optional(),
});
export type DynoCreateBody = z.infer<typeof dynoCreateBody>;

/**
 * `paas run`'s door (GET /apps/:app/run, a WebSocket with the API token): the client's first
 * text frame is a dyno create body (always attached); the api answers this (or an `error`
 * control message, and closes), then the frames are those of the attach link (attachControl).
 */
export interface RunDoorStarted {
  type: 'dyno';
  dyno: DynoResponse;
}
