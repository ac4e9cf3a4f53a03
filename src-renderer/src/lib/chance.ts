/**
 * Whether a model is better than guessing on its validation data. IMDb's reviews are half positive,
 * half negative, so a coin toss scores 50%; an accuracy within two standard errors of that
 * (√(0.25 / n) for n reviews) is not evidence of having learned anything.
 */
export function chanceMargin(validationCount: number): number {
  return validationCount > 0 ? 2 * Math.sqrt(0.25 / validationCount) : 0;
}

export function betterThanChance(valAcc: number, validationCount: number): boolean {
  return valAcc > 0.5 + chanceMargin(validationCount);
}
