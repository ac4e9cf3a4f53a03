// The native multiply-add loop that `bench` measures the machine's peak with.
import { describe, expect, it } from 'vitest';
import { fusedStatus, nativeKernels } from './native';

describe.skipIf(!fusedStatus().available)('the native peak loop', () => {
  it('counts 12 chains × 8 lanes of multiply-adds per iteration on each of the kernels\' threads', () => {
    const kernels = nativeKernels()!;
    const { macs, seconds, checksum } = kernels.peak(100_000);
    expect(macs).toBe(100_000 * 96 * fusedStatus().threads);
    expect(seconds).toBeGreaterThan(0);
    expect(Number.isFinite(checksum)).toBe(true);
  });

  it('refuses an iteration count that is not a positive integer', () => {
    const kernels = nativeKernels()!;
    expect(() => kernels.peak(0)).toThrow('iterations must be a positive integer');
    expect(() => kernels.peak('many' as unknown as number)).toThrow('iterations must be an integer');
  });
});
