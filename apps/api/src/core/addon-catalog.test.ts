import { describe, expect, it } from 'vitest';
import { addonUrl, attachmentName, parsePlan, SERVICES, serviceEnv } from './addon-catalog.js';

const pg = SERVICES[0];
const redis = SERVICES[1];

describe('add-on catalog', () => {
  it('reads the names users type, with the default plan', () => {
    expect(parsePlan('heroku-postgresql').plan).toBe('essential-0');
    expect(parsePlan('postgres:mini')).toMatchObject({ plan: 'mini', service: { name: 'heroku-postgresql' } });
    expect(parsePlan('postgresql').service.name).toBe('heroku-postgresql');
    expect(parsePlan('REDIS').service.name).toBe('heroku-redis');
    expect(parsePlan('heroku-redis:premium-0').plan).toBe('premium-0');
  });

  it('refuses an unknown service or plan, naming it', () => {
    expect(() => parsePlan('heroku-mysql')).toThrow(
      /Couldn't find either the add-on service or the add-on plan of "heroku-mysql"/,
    );
    expect(() => parsePlan('postgres:huge')).toThrow(/Couldn't find the plan "huge" of heroku-postgresql/);
    expect(() => parsePlan('postgres:mini:extra')).toThrow(/Couldn't find/);
  });

  it('names the first attachment DATABASE, then a color, and takes --as as given (upper case)', () => {
    if (!pg || !redis) throw new Error('catalog');
    expect(attachmentName(pg, undefined, new Set())).toBe('DATABASE');
    expect(attachmentName(pg, undefined, new Set(['DATABASE_URL']))).toMatch(/^HEROKU_POSTGRESQL_[A-Z]+$/);
    expect(attachmentName(redis, undefined, new Set(['DATABASE_URL']))).toBe('REDIS');
    expect(attachmentName(pg, 'reporting', new Set())).toBe('REPORTING');
    expect(attachmentName(pg, 'SHARED_URL', new Set())).toBe('SHARED');
    expect(() => attachmentName(pg, '9lives', new Set())).toThrow(/invalid/);
  });

  it('makes URLs whose host is the add-on on the app network', () => {
    const secrets = { user: 'u1', password: 'p1', database: 'd1' };
    expect(addonUrl({ name: 'postgresql-calm-1', service: 'heroku-postgresql', secrets })).toBe(
      'postgres://u1:p1@postgresql-calm-1:5432/d1',
    );
    expect(addonUrl({ name: 'redis-calm-1', service: 'heroku-redis', secrets })).toBe(
      'redis://default:p1@redis-calm-1:6379',
    );
    expect(serviceEnv({ service: 'heroku-redis', secrets })).toEqual({ REDIS_PASSWORD: 'p1' });
  });
});
