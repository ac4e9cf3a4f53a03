/**
 * The workbench API, declared once.
 *
 * The Electron IPC adapter, the WebSocket adapter and the renderer's client are all generated from
 * `apiMethods` and `apiEvents`; no channel name is written anywhere else. Every method takes one
 * params object, validated at the boundary with its schema, and returns a promise.
 */
import { z } from 'zod';
import { WorkbenchError } from './errors';

/** Facts about the running app that the UI shows in its status bar. */
export interface AppInfo {
  name: string;
  version: string;
  /** Where projects' runs, caches and autosaves live. */
  dataDir: string;
  /** Which host serves the API: the desktop app or the local web server. */
  host: 'electron' | 'web';
}

const empty = z.object({}).strict();

/** Request schemas, one per method. The keys are the method names. */
export const apiMethods = {
  getAppInfo: empty,
} as const;

export type ApiMethodName = keyof typeof apiMethods;
export type ApiParams<M extends ApiMethodName> = z.input<(typeof apiMethods)[M]>;

/** Results, one per method. */
export interface ApiResults {
  getAppInfo: AppInfo;
}

/** Event streams and their payloads. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ApiEvents {}
export const apiEvents = [] as const satisfies readonly (keyof ApiEvents)[];
export type ApiEventName = keyof ApiEvents;

export type Unsubscribe = () => void;

/**
 * The transport name of a method or event: the only place a channel string is made. Electron's IPC
 * and the WebSocket protocol both use it.
 */
export function channelOf(name: ApiMethodName | ApiEventName): string {
  return `workbench:${name}`;
}

export const apiMethodNames = Object.keys(apiMethods) as ApiMethodName[];

/** The workbench as the renderer and the CLI see it. */
export type WorkbenchApi = {
  [M in ApiMethodName]: (params: ApiParams<M>) => Promise<ApiResults[M]>;
} & {
  [E in ApiEventName]: (listener: (event: ApiEvents[E]) => void) => Unsubscribe;
};

export function isApiMethod(name: unknown): name is ApiMethodName {
  return typeof name === 'string' && Object.hasOwn(apiMethods, name);
}

/**
 * Validates a request at the boundary. Throws a WorkbenchError that names the method, the field and
 * what was expected, so the IPC, WebSocket and CLI callers all print the same text.
 */
export function parseRequest<M extends ApiMethodName>(method: M, params: unknown): z.output<(typeof apiMethods)[M]> {
  const result = apiMethods[method].safeParse(params ?? {});
  if (result.success) return result.data as z.output<(typeof apiMethods)[M]>;
  const issue = result.error.issues[0]!;
  const where = issue.path.length > 0 ? issue.path.join('.') : 'params';
  throw new WorkbenchError('invalid_request', `${method}: ${where}: ${issue.message}`);
}
