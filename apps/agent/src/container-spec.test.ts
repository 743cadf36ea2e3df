import { type DesiredProcess, LABELS } from '@paas/shared';
import { describe, expect, it } from 'vitest';
import { containerSpec } from './container-spec.js';

const base: DesiredProcess = {
  key: 'a1:web.1',
  app: 'shop',
  appId: 'a1',
  type: 'web',
  index: 1,
  name: 'web.1',
  release: { id: 'r1', version: 1 },
  image: 'sha256:x',
  command: 'node server.js',
  env: { A: '1' },
  stopTimeout: 30,
  generation: '',
};

describe('containerSpec', () => {
  it('a web process: published port, no stdin, no TTY, no one-off labels', () => {
    const spec = containerSpec(base, 'p1', 'agent-1');
    expect(spec).toMatchObject({ publish: 5000, cmd: ['/bin/sh', '-c', 'exec node server.js'] });
    expect(spec.stdin).toBeUndefined();
    expect(spec.tty).toBeUndefined();
    expect(spec.labels[LABELS.oneOff]).toBeUndefined();
  });

  it('an attached one-off: stdin open, a TTY when asked, labelled as a one-off with its run timeout', () => {
    const d = { ...base, key: 'a1:run.3', type: 'run', index: 3, name: 'run.3', command: 'bash' };
    const attached = containerSpec(
      { ...d, oneOff: { id: 'o3', attach: true, tty: true, timeout: 600 } },
      'p1',
      'agent-1',
    );
    expect(attached).toMatchObject({ stdin: true, tty: true, cmd: ['/bin/sh', '-c', 'exec bash'] });
    expect(attached.publish).toBeUndefined();
    expect(attached.labels).toMatchObject({
      [LABELS.oneOff]: 'o3',
      [LABELS.oneOffMode]: 'attached',
      [LABELS.runTimeout]: '600',
      [LABELS.name]: 'run.3',
      [LABELS.platform]: 'p1',
      [LABELS.agent]: 'agent-1',
    });
    expect(attached.env).toMatchObject({ A: '1', TINI_KILL_PROCESS_GROUP: '1' });
    const detached = containerSpec({ ...d, oneOff: { id: 'o3', attach: false, tty: false, timeout: 600 } }, 'p1', 'a');
    expect(detached.stdin).toBeUndefined();
    expect(detached.labels[LABELS.oneOffMode]).toBe('detached');
  });

  it('carries the dyno size: its limits and a label (the default when none or an unknown one is sent)', () => {
    expect(containerSpec(base, 'p1', 'a').limits).toEqual({ memoryMb: 512, cpus: 1, pids: 256 });
    expect(containerSpec(base, 'p1', 'a').labels[LABELS.size]).toBe('Basic');
    const big = containerSpec({ ...base, size: 'Performance-M' }, 'p1', 'a');
    expect(big.limits).toMatchObject({ memoryMb: 2560, cpus: 2 });
    expect(big.labels[LABELS.size]).toBe('Performance-M');
    expect(containerSpec({ ...base, size: 'nonsense' }, 'p1', 'a').labels[LABELS.size]).toBe('Basic');
  });
});
