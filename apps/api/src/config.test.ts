import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.js';

describe('parseConfig', () => {
  it('has defaults for everything', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      PORT: 5000,
      PAAS_DOMAIN: 'localhost',
      LOG_LEVEL: 'info',
      PAAS_ROUTER_PORT: 8080,
      PAAS_KEEP_RELEASES: 10,
      PAAS_STOP_TIMEOUT: 30,
      PAAS_RELEASE_TIMEOUT: 3600,
    });
    expect(config.dataDir).toMatch(/\.paas$/);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every bad variable at once', () => {
    try {
      parseConfig({ PORT: 'abc', PAAS_DOMAIN: 'not a domain', LOG_LEVEL: 'loud', PAAS_API_TOKEN: 'short' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      for (const name of ['PORT', 'PAAS_DOMAIN', 'LOG_LEVEL', 'PAAS_API_TOKEN']) expect(message).toContain(name);
      // Never a value: a bad token must not end up in a log.
      expect(message).not.toContain('short');
      expect(message).not.toContain('not a domain');
    }
  });

  it('reads the one-off settings: run timeout (a day by default, at most a week) and the rendezvous port', () => {
    expect(parseConfig({})).toMatchObject({ PAAS_RUN_TIMEOUT: 86_400, PAAS_RENDEZVOUS_PORT: 5001 });
    expect(parseConfig({ PAAS_RUN_TIMEOUT: '60', PAAS_RENDEZVOUS_PORT: '0' })).toMatchObject({
      PAAS_RUN_TIMEOUT: 60,
      PAAS_RENDEZVOUS_PORT: 0,
    });
    for (const bad of ['0', '-5', '1.5', 'day', String(8 * 24 * 3600)]) {
      expect(() => parseConfig({ PAAS_RUN_TIMEOUT: bad })).toThrow(/PAAS_RUN_TIMEOUT/);
    }
  });

  it('takes PAAS_RELEASE_TIMEOUT in seconds, like PAAS_STOP_TIMEOUT, and names it when it is bad', () => {
    expect(parseConfig({ PAAS_RELEASE_TIMEOUT: '90' }).PAAS_RELEASE_TIMEOUT).toBe(90);
    for (const bad of ['0', '-5', 'soon', String(24 * 3600 + 1)]) {
      expect(() => parseConfig({ PAAS_RELEASE_TIMEOUT: bad }), bad).toThrow(/PAAS_RELEASE_TIMEOUT/);
    }
  });

  it('takes the runtime: agents by default, or swarm; anything else is named', () => {
    expect(parseConfig({}).PAAS_RUNTIME).toBe('agents');
    expect(parseConfig({ PAAS_RUNTIME: 'swarm' }).PAAS_RUNTIME).toBe('swarm');
    for (const bad of ['kubernetes', 'Swarm']) {
      expect(() => parseConfig({ PAAS_RUNTIME: bad }), bad).toThrow(/PAAS_RUNTIME.*agents or swarm/);
    }
  });

  it('caps PAAS_STOP_TIMEOUT at an hour, and the new limits name themselves, never their values', () => {
    expect(parseConfig({ PAAS_STOP_TIMEOUT: '3600' }).PAAS_STOP_TIMEOUT).toBe(3600);
    expect(() => parseConfig({ PAAS_STOP_TIMEOUT: '3601' })).toThrow(
      'PAAS_STOP_TIMEOUT: must be at most 3600 seconds (an hour)',
    );
    expect(parseConfig({})).toMatchObject({
      PAAS_BUILD_TIMEOUT: 1200,
      PAAS_BUILD_MEMORY: 2048,
      PAAS_BUILD_CPUS: 1,
      PAAS_BUILD_MAX_OUTPUT: 10 * 1024 * 1024,
      PAAS_MAX_PUSH_SIZE: 500 * 1024 * 1024,
      PAAS_AGENT_PORT: 5002,
    });
    expect(parseConfig({ PAAS_DRAIN_ALLOW: '127.0.0.0/8, 10.1.0.0/16' }).PAAS_DRAIN_ALLOW).toEqual([
      '127.0.0.0/8',
      '10.1.0.0/16',
    ]);
    const bad = {
      PAAS_BUILD_TIMEOUT: 'secret-1',
      PAAS_BUILD_MEMORY: 'secret-2',
      PAAS_MAX_PUSH_SIZE: 'secret-3',
      PAAS_DRAIN_ALLOW: 'secret-4',
      PAAS_AGENT_HOSTS: 'secret 5',
    };
    try {
      parseConfig(bad);
      expect.unreachable();
    } catch (err) {
      const message = (err as Error).message;
      for (const [name, value] of Object.entries(bad)) {
        expect(message).toContain(name);
        expect(message).not.toContain(value);
      }
    }
  });
});
