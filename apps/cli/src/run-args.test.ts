import { describe, expect, it } from 'vitest';
import { commandOf, envOf } from './run-args.js';

describe('paas run arguments', () => {
  it('keeps one argument as typed and quotes several for the shell', () => {
    expect(commandOf(['rake db:migrate'])).toBe('rake db:migrate');
    expect(commandOf(['sh', '-c', 'echo $GREETING; exit 3'])).toBe(`sh -c 'echo $GREETING; exit 3'`);
    expect(commandOf(['echo', "it's"])).toBe(`echo 'it'\\''s'`);
    expect(commandOf(['ls', '-la', '/tmp'])).toBe('ls -la /tmp');
  });

  it('reads -e KEY=VALUE, values with = included, and refuses what has no key', () => {
    expect(envOf(['A=1', 'B=x=y', 'C='])).toEqual({ A: '1', B: 'x=y', C: '' });
    expect(() => envOf(['NOPE'])).toThrow(/expected KEY=VALUE/);
    expect(() => envOf(['=v'])).toThrow(/expected KEY=VALUE/);
  });
});
