/**
 * The add-on services paas offers, pure: what a user may type (`heroku-postgresql:essential-0`,
 * `postgres`, `redis`), the plans, names, the attachment's config var, the secrets a new
 * add-on gets and the URL the app reads. Plans are names only here: every plan of a service
 * runs the same container (no size limits yet).
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { ServiceKind } from '@paas/shared';
import { invalid } from '../errors.js';
import type { AddonRow, AddonSecrets } from '../store/rows.js';

export type ServiceName = AddonRow['service'];

interface ServiceEntry {
  name: ServiceName;
  /** Stable ids, so that the API's addon_service.id does not change between starts. */
  id: string;
  kind: ServiceKind;
  image: string;
  aliases: string[];
  plans: string[];
  defaultPlan: string;
  /** The first attachment's name, then `<prefix>_<COLOR>`. */
  attachAs: string;
  colorPrefix: string;
  /** The add-on's own name: `<prefix>-<adjective>-<digits>`. */
  namePrefix: string;
  port: number;
}

export const SERVICES: readonly ServiceEntry[] = [
  {
    name: 'heroku-postgresql',
    id: '6c67493d-8fc2-4cd4-9161-4f1ec11cbe69',
    kind: 'postgres',
    image: 'paas/postgres:15',
    aliases: ['heroku-postgresql', 'postgresql', 'postgres'],
    plans: ['essential-0', 'essential-1', 'essential-2', 'mini', 'basic', 'hobby-dev', 'standard-0', 'premium-0'],
    defaultPlan: 'essential-0',
    attachAs: 'DATABASE',
    colorPrefix: 'HEROKU_POSTGRESQL',
    namePrefix: 'postgresql',
    port: 5432,
  },
  {
    name: 'heroku-redis',
    id: '5b1a4c3d-9f0e-4b8a-a2e1-1c7d3e6f9a20',
    kind: 'redis',
    image: 'paas/redis:7',
    aliases: ['heroku-redis', 'redis'],
    plans: ['mini', 'hobby-dev', 'premium-0', 'premium-1'],
    defaultPlan: 'mini',
    attachAs: 'REDIS',
    colorPrefix: 'HEROKU_REDIS',
    namePrefix: 'redis',
    port: 6379,
  },
];

export function serviceOf(name: ServiceName): ServiceEntry {
  const entry = SERVICES.find((s) => s.name === name);
  if (!entry) throw new Error(`unknown service ${name}`);
  return entry;
}

/** `heroku-postgresql:essential-0`, `postgres`, `redis:mini` → the service and plan. */
export function parsePlan(input: string): { service: ServiceEntry; plan: string } {
  const [serviceName = '', planName, ...rest] = input.trim().toLowerCase().split(':');
  const service = SERVICES.find((s) => s.aliases.includes(serviceName));
  if (!service || rest.length) {
    throw invalid(
      `Couldn't find either the add-on service or the add-on plan of "${input}". Available: ${SERVICES.map((s) => s.name).join(', ')}.`,
    );
  }
  const plan = planName || service.defaultPlan;
  if (!service.plans.includes(plan)) {
    throw invalid(`Couldn't find the plan "${plan}" of ${service.name}. Plans: ${service.plans.join(', ')}.`);
  }
  return { service, plan };
}

const ADJECTIVES = [
  'amber',
  'brisk',
  'calm',
  'clear',
  'curly',
  'deep',
  'fluffy',
  'keen',
  'lively',
  'quiet',
  'round',
  'shaped',
  'silver',
  'solid',
  'tidy',
  'vivid',
];
const COLORS = [
  'AMBER',
  'AQUA',
  'BLACK',
  'BLUE',
  'BRONZE',
  'COBALT',
  'COPPER',
  'CRIMSON',
  'GOLD',
  'GRAY',
  'GREEN',
  'IVORY',
  'JADE',
  'ONYX',
  'ORANGE',
  'PINK',
  'PURPLE',
  'RED',
  'ROSE',
  'SILVER',
  'TEAL',
  'WHITE',
  'YELLOW',
];

export function addonName(service: ServiceEntry): string {
  return `${service.namePrefix}-${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${randomInt(10000, 100000)}`;
}

export const ATTACHMENT_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * The attachment name a new add-on gets on an app: `--as` (upper-cased), else the service's
 * own (DATABASE) unless that var is taken, else `HEROKU_POSTGRESQL_<COLOR>`.
 */
export function attachmentName(service: ServiceEntry, as: string | undefined, taken: Set<string>): string {
  if (as !== undefined) {
    const name = as.trim().toUpperCase().replace(/_URL$/, '');
    if (!ATTACHMENT_NAME.test(name)) {
      throw invalid(
        `Attachment name ${as} is invalid: it must start with a letter and hold only letters, digits and underscores.`,
      );
    }
    return name;
  }
  if (!taken.has(`${service.attachAs}_URL`)) return service.attachAs;
  const free = COLORS.map((c) => `${service.colorPrefix}_${c}`).filter((n) => !taken.has(`${n}_URL`));
  if (!free.length) throw invalid(`No free attachment name left for ${service.name}; use --as NAME.`);
  return free[randomInt(free.length)] ?? service.colorPrefix;
}

export const configVarOf = (attachment: string) => `${attachment}_URL`;

export function newSecrets(): AddonSecrets {
  return {
    user: `u${randomBytes(6).toString('hex')}`,
    password: randomBytes(24).toString('hex'),
    database: `d${randomBytes(6).toString('hex')}`,
  };
}

/** The URL an attached app reads: the add-on's name is its host on the app's network. */
export function addonUrl(addon: Pick<AddonRow, 'name' | 'service' | 'secrets'>): string {
  const { user, password, database } = addon.secrets;
  const service = serviceOf(addon.service);
  return service.kind === 'postgres'
    ? `postgres://${user}:${password}@${addon.name}:${service.port}/${database}`
    : `redis://default:${password}@${addon.name}:${service.port}`;
}

/** The environment the service container is made with. */
export function serviceEnv(addon: Pick<AddonRow, 'service' | 'secrets'>): Record<string, string> {
  const { user, password, database } = addon.secrets;
  return serviceOf(addon.service).kind === 'postgres'
    ? { POSTGRES_USER: user, POSTGRES_PASSWORD: password, POSTGRES_DB: database }
    : { REDIS_PASSWORD: password };
}

export const addonServiceId = (name: ServiceName) => serviceOf(name).id;

/** A stable id per plan name (a name-based UUID shape, so it never changes). */
export function planId(plan: string): string {
  const hex = createHash('sha256').update(`paas-plan:${plan}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
