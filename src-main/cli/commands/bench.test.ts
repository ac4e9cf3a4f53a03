// `bench --json`'s multiply-add fields and profile: present on the app's line and consistent with each other
// (their values depend on the machine and its load, so no value is pinned but the epoch's multiply-add count).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { epochMacs } from '../../engine/benchmark';
import { fusedStatus } from '../../engine/fused';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const bin = path.join(repoRoot, 'bin/rnn-workbench.mjs');

describe('epochMacs', () => {
  it('counts the LSTM epoch the issue works out: forward on 25,000 reviews, backward on 20,000', () => {
    // Per review forward: 500 steps × (32 inputs + 32 units) × 4 gates × 32 units, plus the Dense head's 32.
    const forward = 500 * 64 * 128 + 32;
    expect(epochMacs('lstm')).toBe(20_000 * 3 * forward + 5_000 * forward);
    expect(epochMacs('lstm')).toBeCloseTo(2.66e11, -9);
    expect(epochMacs('gru') / epochMacs('lstm')).toBeCloseTo(3 / 4, 4);
  });
});

describe('rnn-workbench bench --json', () => {
  it('adds macsPerSecond, peakMacsPerSecond, peakFraction, the per-phase profile and the inference times to the line, consistent with each other', { timeout: 180_000 }, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'bench', '--cell', 'simplernn', '--batches', '1', '--json'], { maxBuffer: 1 << 24 });
    const line = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    expect(line['macsPerSecond']).toBeGreaterThan(0);
    // epochSeconds is rounded to 0.1 s, so the rate derived from it agrees to within that rounding.
    const fromEpoch = epochMacs('simplernn') / line['epochSeconds']!;
    expect(Math.abs(line['macsPerSecond']! - fromEpoch) / fromEpoch).toBeLessThan(0.051 / line['epochSeconds']!);
    // The profile: every phase, in seconds of the projected epoch, adding up to about that epoch (the parts
    // of a step outside every phase, freeing tensors between steps, are all that is left out).
    const profile = line['profile'] as unknown as Record<string, number>;
    const phases = ['batchPreparation', 'embeddingForward', 'embeddingBackward', 'recurrentForward', 'recurrentBackward', 'head', 'optimizer', 'validation'];
    expect(Object.keys(profile).sort()).toEqual([...phases].sort());
    for (const phase of phases) expect(profile[phase]).toBeGreaterThanOrEqual(0);
    // Inference: one typed review, and the 25,000 test reviews.
    expect(line['predictMs']).toBeGreaterThan(0);
    expect(line['evaluateSeconds']).toBeGreaterThan(0);
    const total = Object.values(profile).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(line['epochSeconds']! * 1.01 + 0.1);
    expect(total).toBeGreaterThan(line['epochSeconds']! * 0.85);
    if (!fusedStatus().available) {
      expect(line).not.toHaveProperty('peakMacsPerSecond');
      return;
    }
    expect(line['peakMacsPerSecond']).toBeGreaterThan(0);
    // peakFraction is rounded to 3 decimals.
    expect(Math.abs(line['peakFraction']! - line['macsPerSecond']! / line['peakMacsPerSecond']!)).toBeLessThanOrEqual(0.0005 + 1e-9);
  });
});
