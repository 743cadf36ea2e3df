import { describe, expect, it } from 'vitest';
import { shellArgv } from './command.js';

describe('shellArgv', () => {
  it('execs a simple command so the app gets the signals', () => {
    expect(shellArgv('node server.js --port $PORT')).toEqual(['/bin/sh', '-c', 'exec node server.js --port $PORT']);
    expect(shellArgv('  bundle exec "puma -C x"  ')).toEqual(['/bin/sh', '-c', 'exec bundle exec "puma -C x"']);
  });
  it('leaves lists, pipes, redirections and explicit execs alone', () => {
    for (const c of ['a && b', 'echo x; exit 1', 'a | b', 'a > log', '(a)', 'exec node x']) {
      expect(shellArgv(c)).toEqual(['/bin/sh', '-c', c]);
    }
  });
  it('keeps leading variable assignments before the exec, and leaves quoted ones alone', () => {
    expect(shellArgv('RELEASE_EXIT=1 node release.js')).toEqual([
      '/bin/sh',
      '-c',
      'RELEASE_EXIT=1 exec node release.js',
    ]);
    expect(shellArgv('A=1 B=x/y node x')).toEqual(['/bin/sh', '-c', 'A=1 B=x/y exec node x']);
    for (const c of ["A='a b' node x", 'A=$HOME node x', 'A=1', 'A=1 B="2"']) {
      expect(shellArgv(c)).toEqual(['/bin/sh', '-c', c]);
    }
  });
});
