// Preload (`node --import`) that records every module URL the process resolves, one a line, in the
// file named by $RNN_WORKBENCH_RECORD_IMPORTS. Registered before the program's own hooks (tsx), so it
// sees what they pass on: every package and Node module, and the sources tsx resolves through Node.
import { register } from 'node:module';

register('./record-imports-hooks.mjs', import.meta.url, { data: { file: process.env.RNN_WORKBENCH_RECORD_IMPORTS } });
