import { describe, expect, it } from 'vitest';
import { parseNetrc, upsertNetrc } from './credentials.js';

describe('netrc', () => {
  const text = 'machine api.heroku.com\n  login me@x\n  password abc\nmachine 127.0.0.1 login old password old\n';

  it('parses entries in both layouts', () => {
    expect(parseNetrc(text)).toEqual([
      { machine: 'api.heroku.com', login: 'me@x', password: 'abc' },
      { machine: '127.0.0.1', login: 'old', password: 'old' },
    ]);
  });

  it('replaces one machine and keeps the others', () => {
    const next = upsertNetrc(text, { machine: '127.0.0.1', login: 'admin@localhost', password: 'new' });
    expect(parseNetrc(next)).toEqual([
      { machine: 'api.heroku.com', login: 'me@x', password: 'abc' },
      { machine: '127.0.0.1', login: 'admin@localhost', password: 'new' },
    ]);
  });

  it('adds to an empty file', () => {
    expect(upsertNetrc('', { machine: 'h', login: 'l', password: 'p' })).toBe('machine h\n  login l\n  password p\n');
  });
});
