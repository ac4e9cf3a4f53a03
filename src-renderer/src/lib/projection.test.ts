import { describe, expect, it } from 'vitest';
import { getPreset } from '../../../src-shared/presets';
import { summarize } from '../../../src-shared/model';
import { emptyProject } from './project-file';
import { projectEpochSeconds } from './projection';

describe('projectEpochSeconds', () => {
  const layers = getPreset('lstm')!.layers;
  const { data, training } = emptyProject();

  it('divides the epoch’s multiply-adds (3 per training step, 1 per validation review) by the measured speed', () => {
    const macs = summarize(layers, data.options).multiplyAdds;
    // 1,000 reviews with validation split 0.2: 800 trained, 200 validated.
    const work = macs * (3 * 800 + 200);
    expect(projectEpochSeconds({ macsPerSecond: work / 10, runName: 'r' }, layers, data, { ...training, validationSplit: 0.2 }, 1000)).toBeCloseTo(10, 6);
    // A limit trains on fewer reviews.
    expect(projectEpochSeconds({ macsPerSecond: work / 10, runName: 'r' }, layers, data, { ...training, validationSplit: 0.2, limit: 500 }, 1000)).toBeCloseTo(5, 6);
  });

  it('knows nothing without a measured speed or opened data', () => {
    expect(projectEpochSeconds(undefined, layers, data, training, 1000)).toBeUndefined();
    expect(projectEpochSeconds({ macsPerSecond: 1e9, runName: 'r' }, layers, data, training, undefined)).toBeUndefined();
  });
});
