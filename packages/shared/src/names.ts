/**
 * Names and limits that the api, the agent and the CLI must agree on. No zod here: the CLI
 * imports this module alone (`@paas/shared/names`), to start without loading zod.
 */

export const APP_NAME_RE = /^[a-z][a-z0-9-]{1,29}$/;
export const APP_NAME_RULE =
  'must start with a lowercase letter and contain only lowercase letters, digits and dashes (2 to 30 characters)';

export const CONFIG_KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const CONFIG_KEY_RULE =
  'must start with a letter or underscore and contain only letters, digits and underscores';
/** Set by the platform for every process; users cannot set them. */
export const RESERVED_CONFIG_KEYS = ['PORT', 'DYNO', 'PAAS_RELEASE'] as const;
export const CONFIG_VALUE_MAX_BYTES = 32 * 1024;

export const PROCESS_TYPE_RE = /^[a-z][a-z0-9_-]{0,29}$/;
export const PROCESS_TYPE_RULE =
  'must start with a lowercase letter and contain only lowercase letters, digits, "_" and "-" (at most 30 characters)';

export const FORMATION_MAX_QUANTITY = 100;

/** Accept header of the Heroku Platform API v3; we accept it and the plain JSON one. */
export const API_ACCEPT = 'application/vnd.heroku+json; version=3';

/** The header a `paas run` client gives its attach secret in (GET /rendezvous, a WebSocket). */
export const RENDEZVOUS_SECRET_HEADER = 'x-paas-rendezvous';

/**
 * The longest one-off command the API accepts (`paas run`, `heroku run`), in bytes of UTF-8:
 * well under Linux's argument limits, and more than any shell one-liner needs.
 */
export const RUN_COMMAND_MAX_BYTES = 8192;
/** The most `-e` variables one `paas run` may add. */
export const RUN_ENV_MAX = 100;
/** The longest a one-off may run (PAAS_RUN_TIMEOUT's ceiling, and time_to_live's): a week. */
export const RUN_TIMEOUT_MAX_SECONDS = 7 * 24 * 3600;

/** An agent's id (PAAS_AGENT_ID, `paas-admin agents:add NAME`): a host name or a label. */
export const AGENT_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
export const AGENT_ID_RULE = 'must be letters, digits, ".", "_" or "-" (at most 63, starting with a letter or digit)';

/**
 * The longest grace period from SIGTERM to SIGKILL (PAAS_STOP_TIMEOUT, the platform's and an
 * app's): an hour. Heroku gives 30 s; a stop must end, or a deploy or a scale-down waits on it.
 */
export const STOP_TIMEOUT_MAX_SECONDS = 3600;
