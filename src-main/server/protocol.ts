import type { Reply } from '../../src-shared/errors';
import type { ClientMessage } from '../../src-shared/wire';

export type { ClientMessage, ServerMessage } from '../../src-shared/wire';

/** Parses one WebSocket frame from a client; a malformed frame is an invalid_request reply, never a throw. */
export function decodeClientMessage(text: string): Reply<ClientMessage> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, error: { code: 'invalid_request', message: `A request must be JSON {"id", "method", "params"}. Received: ${JSON.stringify(text.slice(0, 80))}` } };
  }
  const message = data as Partial<ClientMessage> | null;
  if (message === null || typeof message !== 'object' || typeof message.id !== 'number' || typeof message.method !== 'string') {
    return { ok: false, error: { code: 'invalid_request', message: `A request must be an object with a numeric "id" and a string "method". Received: ${text.slice(0, 80)}` } };
  }
  return { ok: true, value: { id: message.id, method: message.method, params: message.params } };
}
