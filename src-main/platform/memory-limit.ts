/**
 * The memory limit every estimate is checked against: half of this machine's memory, or
 * `RNN_WORKBENCH_MEMORY_LIMIT_MB`. Half, because the app, the browser or window showing it, the data
 * parser and the OS share the rest, and a tensor is often briefly held twice (copied to a worker).
 */
import { totalmem } from 'node:os';
import { WorkbenchError } from '../../src-shared/errors';

export const MEMORY_LIMIT_ENV = 'RNN_WORKBENCH_MEMORY_LIMIT_MB';

/** The limit in bytes; a malformed override is an error, never silently the default. */
export function memoryLimitBytes(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[MEMORY_LIMIT_ENV];
  if (text === undefined || text === '') return Math.floor(totalmem() / 2);
  const mb = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(mb) || mb <= 0) {
    throw new WorkbenchError('invalid_request', `${MEMORY_LIMIT_ENV} must be a positive integer (megabytes). Received: ${text.slice(0, 40)}`);
  }
  return mb * 1024 * 1024;
}
