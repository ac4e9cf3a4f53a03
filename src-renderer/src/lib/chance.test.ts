import { describe, expect, it } from 'vitest';
import { betterThanChance, chanceMargin } from './chance';

describe('betterThanChance', () => {
  it('needs an accuracy beyond two standard errors of 50% on the validation reviews', () => {
    // 2 · √(0.25 / 100) = 0.1
    expect(chanceMargin(100)).toBeCloseTo(0.1, 10);
    expect(betterThanChance(0.6, 100)).toBe(false);
    expect(betterThanChance(0.61, 100)).toBe(true);
    // The same accuracy on 5,000 reviews is well past chance.
    expect(betterThanChance(0.56, 5000)).toBe(true);
    expect(betterThanChance(0.5, 5000)).toBe(false);
    expect(betterThanChance(0.45, 5000)).toBe(false);
  });
});
