// The entry of a child the electron test host forks as a utility process: it gives the process what Electron gives
// one, `process.parentPort` with MessageEvent-shaped ({ data, ports }) 'message' events and no Node IPC of its own,
// then runs the module the app asked for (argv[2]), with the app's arguments after it.
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

const send = process.send.bind(process);
const parentPort = new EventEmitter();
parentPort.postMessage = (message) => send(message);
// Like Electron's MessagePortMain behind parentPort, messages wait until the port starts, which adding the first
// 'message' listener does: a message the parent sends at once is not lost while the module loads.
const queued = [];
let started = false;
process.on('message', (data) => (started ? parentPort.emit('message', { data, ports: [] }) : queued.push(data)));
parentPort.on('newListener', (event) => {
  if (event !== 'message' || started) return;
  started = true;
  queueMicrotask(() => queued.splice(0).forEach((data) => parentPort.emit('message', { data, ports: [] })));
});
process.parentPort = parentPort;
process.send = undefined;

const [modulePath] = process.argv.splice(2, 1);
await import(pathToFileURL(modulePath).href);
