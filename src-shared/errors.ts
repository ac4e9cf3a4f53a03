/**
 * The one error type that crosses every boundary (IPC, WebSocket, worker, CLI).
 *
 * `code` is stable and machine-readable; `message` is for people and follows the house style:
 * what was expected, then `Received: …`.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'unknown_method'
  | 'not_found'
  | 'bad_input'
  | 'cancelled'
  | 'busy'
  | 'conflict'
  | 'internal';

export class WorkbenchError extends Error {
  override readonly name = 'WorkbenchError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The wire form of an error: plain data, safe for structured clone and JSON. */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
}

export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof WorkbenchError) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message };
}

export function fromErrorPayload(payload: ErrorPayload): WorkbenchError {
  return new WorkbenchError(payload.code, payload.message);
}

/** What a transport sends back for every request: a value or a typed error, never a thrown stack. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };
