import { describe, expect, it } from 'vitest';
import { ReleaseOutputTokens } from './release-tokens.js';

describe('release output tokens', () => {
  const id = '3f0c2a4e-1b2c-4d5e-8f90-123456789abc';

  it('names the release it was issued for, until it expires', () => {
    let now = 1_000_000;
    const tokens = new ReleaseOutputTokens('k'.repeat(64), 60_000, () => now);
    const token = tokens.issue(id);
    expect(tokens.verify(token)).toBe(id);
    now += 59_000;
    expect(tokens.verify(token)).toBe(id);
    now += 2_000;
    expect(tokens.verify(token)).toBeNull();
  });

  it('refuses a token made with another key, or edited, or malformed', () => {
    const tokens = new ReleaseOutputTokens('a'.repeat(64));
    const other = new ReleaseOutputTokens('b'.repeat(64));
    const token = tokens.issue(id);
    expect(other.verify(token)).toBeNull();
    const [, expires, sig] = token.split('.');
    expect(tokens.verify(`${id.replace('3f', '4f')}.${expires}.${sig}`)).toBeNull();
    expect(tokens.verify(`${id}.zzzzzzzz.${sig}`)).toBeNull();
    expect(tokens.verify('')).toBeNull();
    expect(tokens.verify(`${id}.${expires}`)).toBeNull();
    expect(tokens.verify(`${token}x`)).toBeNull();
  });
});
