import { describe, expect, it } from 'vitest';
import { type DesiredInput, desiredProcesses, generationOf } from './desired.js';

const defaults = { stopTimeout: 30, bootTimeout: 60 };
const input = (over: Partial<DesiredInput> = {}): DesiredInput => ({
  app: { id: 'a1', name: 'shop' },
  release: {
    id: 'r3',
    version: 3,
    image: 'sha256:abc',
    config: { GREETING: 'hi' },
    processTypes: { web: 'node server.js', worker: 'node worker.js' },
  },
  formation: [
    { type: 'web', quantity: 2 },
    { type: 'worker', quantity: 1 },
  ],
  restarts: new Map(),
  ...over,
});

describe('desiredProcesses', () => {
  it('expands formation into named processes of the current release', () => {
    const wanted = desiredProcesses([input()], defaults);
    expect(wanted.map((w) => w.key)).toEqual(['a1:web.1', 'a1:web.2', 'a1:worker.1']);
    const web2 = wanted[1];
    expect(web2).toMatchObject({
      app: 'shop',
      type: 'web',
      index: 2,
      name: 'web.2',
      release: { id: 'r3', version: 3 },
      image: 'sha256:abc',
      command: 'node server.js',
      stopTimeout: 30,
      bootTimeout: 60,
      healthCheckPath: null,
      generation: '',
    });
    expect(web2?.env).toEqual({ GREETING: 'hi', PORT: '5000', DYNO: 'web.2', PAAS_RELEASE: 'v3' });
  });

  it("carries each type's dyno size, canonical; an unknown stored one runs as the default", () => {
    const formation = [
      { type: 'web', quantity: 1, size: 'standard-2x' },
      { type: 'worker', quantity: 1, size: 'enormous' },
    ];
    const wanted = desiredProcesses([input({ formation })], defaults);
    expect(wanted.map((w) => w.size)).toEqual(['Standard-2X', 'Basic']);
  });

  it('gives only web processes a boot timeout and a health check', () => {
    const config = { PAAS_HEALTHCHECK_PATH: '/health' };
    const wanted = desiredProcesses([input({ release: { ...input().release, config } })], defaults);
    const worker = wanted.find((w) => w.type === 'worker');
    expect(worker?.bootTimeout).toBeUndefined();
    expect(worker?.healthCheckPath).toBeNull();
    expect(wanted[0]?.healthCheckPath).toBe('/health');
  });

  it("takes the app's timeouts over the platform's, ignoring unusable values", () => {
    const release = { ...input().release, config: { PAAS_STOP_TIMEOUT: '5', PAAS_BOOT_TIMEOUT: 'soon' } };
    const [web] = desiredProcesses([input({ release })], defaults);
    expect(web?.stopTimeout).toBe(5);
    expect(web?.bootTimeout).toBe(60);
  });

  it('never runs the release command as a process, whatever the formation says', () => {
    const release = { ...input().release, processTypes: { web: 'node server.js', release: 'node migrate.js' } };
    const formation = [
      { type: 'web', quantity: 1 },
      { type: 'release', quantity: 2 },
    ];
    expect(desiredProcesses([input({ release, formation })], defaults).map((w) => w.name)).toEqual(['web.1']);
  });

  it('runs nothing for a formation type the release does not have, nor for quantity 0', () => {
    const formation = [
      { type: 'clock', quantity: 1 },
      { type: 'web', quantity: 0 },
    ];
    expect(desiredProcesses([input({ formation })], defaults)).toEqual([]);
  });

  it('takes several apps at once', () => {
    const other = input({ app: { id: 'a2', name: 'blog' }, formation: [{ type: 'web', quantity: 1 }] });
    expect(desiredProcesses([input(), other], defaults).map((w) => w.key)).toEqual([
      'a1:web.1',
      'a1:web.2',
      'a1:worker.1',
      'a2:web.1',
    ]);
  });
});

describe('generationOf', () => {
  it('is the latest restart request covering the process: app, type or name', () => {
    const restarts = new Map([
      ['', '2026-01-01T00:00:00Z'],
      ['web', '2026-01-03T00:00:00Z'],
      ['web.2', '2026-01-02T00:00:00Z'],
    ]);
    expect(generationOf(restarts, 'web', 'web.2')).toBe('2026-01-03T00:00:00Z');
    expect(generationOf(restarts, 'worker', 'worker.1')).toBe('2026-01-01T00:00:00Z');
    expect(generationOf(new Map(), 'web', 'web.1')).toBe('');
  });

  it('bumps only the process a restart names', () => {
    const before = desiredProcesses([input()], defaults);
    const after = desiredProcesses([input({ restarts: new Map([['web.2', '2026-02-01T00:00:00Z']]) })], defaults);
    const changed = after.filter((w, i) => w.generation !== before[i]?.generation).map((w) => w.name);
    expect(changed).toEqual(['web.2']);
  });
});
