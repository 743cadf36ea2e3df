import { describe, expect, it } from 'vitest';
import { configVarsPatch, describeIssues } from './api.js';
import { dynoCreateBody } from './one-offs.js';

describe('dynoCreateBody', () => {
  it('takes what the Heroku CLI sends: numbers in env become strings, extra fields are ignored', () => {
    const body = dynoCreateBody.parse({
      command: 'bash',
      attach: true,
      env: { COLUMNS: 80, LINES: 24, TERM: 'xterm' },
      force_no_tty: null,
      size: null,
      type: null,
      something_new: 1,
    });
    expect(body).toEqual({
      command: 'bash',
      attach: true,
      env: { COLUMNS: '80', LINES: '24', TERM: 'xterm' },
      force_no_tty: null,
      size: null,
      type: null,
    });
  });

  it('names what is wrong', () => {
    const r = dynoCreateBody.safeParse({ command: 'x'.repeat(8193), env: { 'A-B': '1' }, time_to_live: 0 });
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(describeIssues(r.error)).toBe(
        'command: is longer than 8192 bytes, the most a one-off command may be; env.A-B: A-B: must start with a letter or underscore and contain only letters, digits and underscores; time_to_live: Too small: expected number to be >0',
      );
    }
  });
});

describe('configVarsPatch: PAAS_RUN_TIMEOUT', () => {
  it('is whole seconds from 1 to a week', () => {
    expect(configVarsPatch.safeParse({ PAAS_RUN_TIMEOUT: '3600' }).success).toBe(true);
    expect(configVarsPatch.safeParse({ PAAS_RUN_TIMEOUT: '604800' }).success).toBe(true);
    for (const bad of ['0', '604801', '1h', '-1']) {
      const r = configVarsPatch.safeParse({ PAAS_RUN_TIMEOUT: bad });
      expect(r.success, bad).toBe(false);
    }
  });
});
