import { isApiMethod, parseRequest, apiMethodNames, type WorkbenchApi } from '../../src-shared/api';
import { toErrorPayload, type Reply } from '../../src-shared/errors';
import type { Logger } from '../platform/logger';

export type Dispatch = (method: unknown, params: unknown) => Promise<Reply<unknown>>;

/**
 * The one entry point both transports call: validates the method name and params at the boundary,
 * runs the method, and always answers with a Reply — a bad request is logged and answered, never thrown.
 */
export function createDispatcher(api: WorkbenchApi, log: Logger): Dispatch {
  return async (method, params) => {
    if (!isApiMethod(method)) {
      const message = `Unknown method. Expected one of: ${apiMethodNames.join(', ')}. Received: ${JSON.stringify(method)}`;
      log.warn(message);
      return { ok: false, error: { code: 'unknown_method', message } };
    }
    try {
      const parsed = parseRequest(method, params);
      const call = api[method] as (params: unknown) => Promise<unknown>;
      return { ok: true, value: await call(parsed) };
    } catch (error) {
      const payload = toErrorPayload(error);
      if (payload.code === 'internal') log.error(`${method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      else log.warn(`${method}: ${payload.message}`);
      return { ok: false, error: payload };
    }
  };
}
