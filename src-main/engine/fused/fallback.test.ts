/**
 * Without the native kernels (a failed build, or RNN_WORKBENCH_FUSED=0) the fused path says why
 * and declines every layer, so the model builder uses tfjs-layers' own.
 */
import { describe, expect, it } from 'vitest';

describe('the fused path without its native kernels', () => {
  it('reports why and builds no fused layers', async () => {
    const saved = process.env['RNN_WORKBENCH_FUSED'];
    process.env['RNN_WORKBENCH_FUSED'] = '0';
    try {
      // Vitest gives each test file its own module registry, so this import loads the addon anew.
      const { fusedStatus, makeFusedRecurrent } = await import('./index');
      expect(fusedStatus()).toEqual({ available: false, reason: 'disabled by RNN_WORKBENCH_FUSED=0', threads: 0, simd: 'none' });
      expect(makeFusedRecurrent({ kind: 'LSTM', options: { units: 8 } }, [null, 10, 4])).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env['RNN_WORKBENCH_FUSED'];
      else process.env['RNN_WORKBENCH_FUSED'] = saved;
    }
  });
});
