import { totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { memoryLimitBytes } from './memory-limit';

describe('the memory limit', () => {
  it("is half the machine's memory unless RNN_WORKBENCH_MEMORY_LIMIT_MB says otherwise", () => {
    expect(memoryLimitBytes({})).toBe(Math.floor(totalmem() / 2));
    expect(memoryLimitBytes({ RNN_WORKBENCH_MEMORY_LIMIT_MB: '300' })).toBe(300 * 1024 * 1024);
  });

  it('refuses a malformed override instead of ignoring it', () => {
    expect(() => memoryLimitBytes({ RNN_WORKBENCH_MEMORY_LIMIT_MB: '-5' })).toThrow('RNN_WORKBENCH_MEMORY_LIMIT_MB must be a positive integer (megabytes). Received: -5');
    expect(() => memoryLimitBytes({ RNN_WORKBENCH_MEMORY_LIMIT_MB: '2GB' })).toThrow('Received: 2GB');
  });
});
