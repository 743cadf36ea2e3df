import { describe, expect, it } from 'vitest';
import { formationTypes, ProcfileError, parseProcfile, releaseCommandOf } from './procfile.js';

describe('parseProcfile', () => {
  it('reads types and commands, skipping blanks and comments', () => {
    const text = '# processes\nweb: node server.js --port $PORT\n\nworker:node worker.js\r\nclock:   sh -c "a: b"\n';
    expect(parseProcfile(text)).toEqual({
      web: 'node server.js --port $PORT',
      worker: 'node worker.js',
      clock: 'sh -c "a: b"',
    });
  });

  it.each([
    ['web node server.js', 1, 'expected "<process type>: <command>"'],
    ['web: a\nweb: b', 2, 'defined twice'],
    ['web: a\nWeb Server: b', 2, 'expected'],
    ['web: a\nWEB: b', 2, 'process type "WEB"'],
    ['\n\nworker:   ', 3, 'has no command'],
    ['# nothing\n', 1, 'no process types'],
  ])('rejects %j at line %i', (text, line, message) => {
    try {
      parseProcfile(text);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ProcfileError);
      expect((err as ProcfileError).line).toBe(line);
      expect((err as Error).message).toContain(`Procfile line ${line}`);
      expect((err as Error).message).toContain(message);
    }
  });

  it('keeps a release: line as the release command, not a formation type', () => {
    const types = parseProcfile('web: node server.js\nrelease: node migrate.js\n');
    expect(releaseCommandOf(types)).toBe('node migrate.js');
    expect(formationTypes(types)).toEqual(['web']);
    expect(releaseCommandOf({ web: null })).toBeNull();
  });
});
