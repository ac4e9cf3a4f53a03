/**
 * A child process that runs one module and exchanges structured-clone messages with us: work that may
 * crash or run out of memory on hostile input (the parsers) runs there, so it can die alone.
 *
 * Plain Node forks with `child_process`; Electron injects a `utilityProcess` launcher instead (see
 * `src-main/electron/utility-process.ts`), because forking the Electron binary as Node needs the runAsNode
 * fuse that release builds turn off.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How an isolated process ended. */
export interface ProcessExit {
  /** Null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last few KB it wrote to stderr: V8 reports a heap out of memory there before aborting. */
  stderrTail: string;
}

export interface IsolatedProcess {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (exit: ProcessExit) => void): void;
  /** SIGKILL; resolves once the process has exited, so nothing it does can reach the disk afterwards. */
  kill(): Promise<void>;
}

export interface LaunchOptions {
  /** The V8 heap cap (`--max-old-space-size`). */
  heapMb: number;
  /** Names the process in errors and in Electron's app metrics. */
  name: string;
}

/** Starts `entry` (a module URL) in a process of its own. */
export type ProcessLauncher = (entry: URL, options: LaunchOptions) => IsolatedProcess;

const STDERR_TAIL_BYTES = 4096;

/** Keeps the end of a stream: enough to read V8's fatal-error lines without buffering a chatty process. */
export function collectTail(stream: NodeJS.ReadableStream | null | undefined): () => string {
  let tail = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL_BYTES);
  });
  return () => tail;
}

/** Whether an exit is V8 giving up on a full heap (Node prints this line, then aborts). */
export function isOutOfMemory(exit: ProcessExit): boolean {
  return /heap out of memory|Reached heap limit/.test(exit.stderrTail);
}

/** The plain-Node launcher: `child_process.fork` with V8's structured-clone serialization, so typed arrays cross as they are. */
export const launchNodeProcess: ProcessLauncher = (entry, { heapMb, name }) => {
  if (process.versions.electron !== undefined) {
    // Forking the Electron binary as Node depends on the runAsNode fuse, off in release builds.
    throw new Error(`${name}: inside Electron, isolated processes must be started with utilityProcess; pass its launcher.`);
  }
  const child = fork(fileURLToPath(entry), [], {
    execArgv: [`--max-old-space-size=${heapMb}`],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  const stderrTail = collectTail(child.stderr);
  const stderrDone = child.stderr === null ? Promise.resolve() : new Promise<void>((resolve) => child.stderr!.once('close', resolve));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    postMessage: (message) => child.send(message as never),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) =>
      // 'exit' may fire before stderr is drained; wait so an out-of-memory report is not missed.
      child.once('exit', (code, signal) => void stderrDone.then(() => listener({ code, signal, stderrTail: stderrTail() }))),
    kill: () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
};
