import { describe, expect, it } from 'vitest';
import { PaasError } from '../errors.js';
import { resolveQuantity } from './formation.js';

describe('resolveQuantity', () => {
  it.each([
    [1, 3, 3],
    [1, '3', 3],
    [2, '+1', 3],
    [2, '-2', 0],
    [0, '0', 0],
    [99, '+1', 100],
  ])('from %i with %j gives %i', (current, given, expected) => {
    expect(resolveQuantity(current, given)).toBe(expected);
  });

  it.each([
    [0, '-1'],
    [100, '+1'],
    [0, 101],
    [0, 'x'],
    [0, '1.5'],
  ])('refuses %j from %i', (current, given) => {
    expect(() => resolveQuantity(current, given)).toThrow(PaasError);
  });
});
