// The resolve hook of record-imports.mjs. It runs on the loader thread; each line is appended at
// once, so a process that is killed still leaves what it had loaded.
import { appendFileSync } from 'node:fs';

let file;

export function initialize(data) {
  if (typeof data?.file !== 'string' || data.file === '') throw new Error('RNN_WORKBENCH_RECORD_IMPORTS must name a file. Received: ' + String(data?.file));
  file = data.file;
}

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  appendFileSync(file, result.url + '\n');
  return result;
}
