/**
 * The workbench API, declared once.
 *
 * The Electron IPC adapter, the WebSocket adapter and the renderer's client are all generated from
 * `apiMethods` and `apiEvents`; no channel name is written anywhere else. Every method takes one
 * params object, validated at the boundary with its schema, and returns a promise.
 */
import { z } from 'zod';
import { WorkbenchError } from './errors';
import { datasetOptionsSchema, type DataProgress, type DatasetPreview } from './data';

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
  openDataset: z.object({ path: z.string().min(1), options: datasetOptionsSchema }).strict(),
  cancelDataset: empty,
} as const;

export type ApiMethodName = keyof typeof apiMethods;
export type ApiParams<M extends ApiMethodName> = z.input<(typeof apiMethods)[M]>;

/** Results, one per method. */
export interface ApiResults {
  getAppInfo: AppInfo;
  openDataset: DatasetPreview;
  cancelDataset: void;
}

/** Event streams and their payloads. */
export interface ApiEvents {
  onDidDataProgress: DataProgress;
}
export const apiEvents = ['onDidDataProgress'] as const satisfies readonly (keyof ApiEvents)[];
export type ApiEventName = keyof ApiEvents;

export type Unsubscribe = () => void;

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
