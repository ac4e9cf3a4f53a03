// Isolated processes in the desktop app: Electron's utilityProcess, which needs no runAsNode fuse.
import { utilityProcess } from 'electron';
import { fileURLToPath } from 'node:url';
import { collectTail, type ProcessLauncher } from '../platform/isolated-process';

export const launchUtilityProcess: ProcessLauncher = (entry, { heapMb, name }) => {
  const child = utilityProcess.fork(fileURLToPath(entry), [], { execArgv: [`--max-old-space-size=${heapMb}`], serviceName: name, stdio: ['ignore', 'inherit', 'pipe'] });
  const stderrTail = collectTail(child.stderr);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    postMessage: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', listener),
    // utilityProcess reports only a code; a signal shows up in it (waitpid status), and the stderr tail tells out-of-memory apart.
    onExit: (listener) => child.once('exit', (code) => listener({ code, signal: null, stderrTail: stderrTail() })),
    kill: () => {
      child.kill();
      return exited;
    },
  };
};
