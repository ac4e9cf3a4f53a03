import type { Reply } from './errors';

/** A request frame of the WebSocket transport. */
export interface ClientMessage {
  id: number;
  method: string;
  params: unknown;
}

/** A frame the server sends: the reply to a request, or an event. */
export type ServerMessage =
  | { kind: 'reply'; id: number | null; reply: Reply<unknown> }
  | { kind: 'event'; event: string; payload: unknown };
