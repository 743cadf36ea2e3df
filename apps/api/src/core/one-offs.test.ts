import { describe, expect, it } from 'vitest';
import { resolveCommand } from './one-offs.js';
import { oneOffProcesses } from './runtime/desired.js';

describe('resolveCommand', () => {
  const types = { web: 'node server.js', worker: 'node worker.js --queue=a', image: null };
  it('runs a Procfile type by its name, with what follows (heroku run -x)', () => {
    expect(resolveCommand('worker', types)).toBe('node worker.js --queue=a');
    expect(resolveCommand('worker ; echo "$?"', types)).toBe('node worker.js --queue=a ; echo "$?"');
    expect(resolveCommand('image', types)).toBe('');
  });
  it('leaves any other command as it is', () => {
    expect(resolveCommand('bash', types)).toBe('bash');
    expect(resolveCommand('  workers  ', types)).toBe('workers');
    expect(resolveCommand('sh -c "worker"', types)).toBe('sh -c "worker"');
  });
  it('refuses arguments to a type that runs the image CMD', () => {
    expect(() => resolveCommand('image --x', types)).toThrow(/takes no arguments/);
  });
});

describe('oneOffProcesses', () => {
  it('makes run.N from its release: config, then -e, then the platform variables', () => {
    const [d] = oneOffProcesses(
      [
        {
          app: { id: 'a1', name: 'shop' },
          oneOff: {
            id: 'o7',
            number: 7,
            type: 'run',
            command: 'bash',
            env: { A: 'env', DEBUG: '1' },
            attach: true,
            tty: true,
            timeout: 600,
          },
          release: { id: 'r3', version: 3, image: 'sha256:x', config: { A: 'config', B: 'b', PAAS_STOP_TIMEOUT: '5' } },
        },
      ],
      { stopTimeout: 30, bootTimeout: 60 },
    );
    expect(d).toMatchObject({
      key: 'a1:run.7',
      name: 'run.7',
      type: 'run',
      index: 7,
      command: 'bash',
      release: { id: 'r3', version: 3 },
      stopTimeout: 5,
      env: { A: 'env', B: 'b', DEBUG: '1', DYNO: 'run.7', PAAS_RELEASE: 'v3', PORT: '5000' },
      oneOff: { id: 'o7', attach: true, tty: true, timeout: 600 },
    });
    expect(d?.bootTimeout).toBeUndefined();
  });
});
