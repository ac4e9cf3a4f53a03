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

/** The most characters a message shows: room for two long paths and what was expected. */
export const MAX_MESSAGE_LENGTH = 600;

/**
 * A message as the user sees it: one line (newlines folded, control characters dropped), at most
 * MAX_MESSAGE_LENGTH characters. Applied where errors leave the app (the wire, the CLI), so no message
 * composed from a long input or passed up from a library can flood a dialog or a terminal.
 */
export function oneLine(message: string, maxLength = MAX_MESSAGE_LENGTH): string {
  // eslint-disable-next-line no-control-regex
  const flat = message.replace(/\s*[\r\n]+\s*/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
}

export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof WorkbenchError) return { code: error.code, message: oneLine(error.message) };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: oneLine(message) };
}

export function fromErrorPayload(payload: ErrorPayload): WorkbenchError {
  return new WorkbenchError(payload.code, payload.message);
}

/** What a transport sends back for every request: a value or a typed error, never a thrown stack. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };
