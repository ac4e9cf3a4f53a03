import { describe, expect, it } from 'vitest';
import { keyOptions } from './format';

describe('keyOptions: the card line each kind declares', () => {
  it("fills the kind's defaults for options the spec leaves out", () => {
    expect(keyOptions('LSTM', { units: 64 })).toBe('64 units');
    expect(keyOptions('Conv1D', { filters: 4, kernel_size: 3 })).toBe('4 filters · kernel 3 · linear');
    expect(keyOptions('Embedding', { input_dim: 20000, mask_zero: true })).toBe('20,000 words × 32 dims · mask_zero (padding ignored)');
  });

  it('shows nothing for options that do not parse or a kind the app does not know: the issue list says why', () => {
    expect(keyOptions('LSTM', { units: 0 })).toBe('');
    expect(keyOptions('ConvLSTM1D', {})).toBe('');
  });
});
