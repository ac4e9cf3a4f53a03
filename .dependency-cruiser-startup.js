// What loads at start: the graph of static runtime imports only (type-only imports are erased and a
// dynamic import() loads when it runs), checked by `npm run lint:deps` beside the layer rules of
// `.dependency-cruiser.js`. TensorFlow.js is heavy, so only the layers that compute with it reach it:
// the app, the web server and every CLI command start without it. test/startup-imports.test.ts
// checks the same in running processes.
import base from './.dependency-cruiser.js';

const { options } = base;

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'tfjs-only-where-it-computes',
      comment:
        'Only the engine, export and the job host\'s worker load @tensorflow/*; anything else reaches them through a dynamic import() or the worker.',
      severity: 'error',
      from: { path: '^(src-main|src-shared|src-renderer)/', pathNot: ['^src-main/(engine|export)/', '^src-main/jobs/worker\\.ts$', '\\.test\\.ts$'] },
      to: { path: '^node_modules/@tensorflow/', reachable: true },
    },
  ],
  options: { ...options, tsPreCompilationDeps: false, exclude: { ...options.exclude, dynamic: true } },
};
