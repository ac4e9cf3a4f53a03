// The layers of the code base, checked by dependency-cruiser in `npm run lint:deps` (part of `npm test`).
// Every import, type-only ones included, points down this list; `.dependency-cruiser-startup.js`
// checks what loads at start (TensorFlow.js only in the engine, export and job-host layers).

/** src-main's layers, bottom first. A folder may import folders of lower rows only. */
const layers = [
  // Atomic files, isolated processes, app paths and version, worker entry points, the Logger type, the CSP.
  ['platform'],
  // The domain: datasets and run folders, then the tfjs engine, then export (which uses the engine).
  ['data', 'runs'],
  ['engine'],
  ['export'],
  // The job host: runs engine and export work in worker threads.
  ['jobs'],
  ['services'],
  // The front ends; the CLI's `serve` starts the web server, so the CLI sits above it.
  ['electron', 'server'],
  ['cli'],
];

const layerRules = layers.flatMap((row, rank) =>
  row.map((folder) => {
    const above = layers
      .slice(rank)
      .flat()
      .filter((other) => other !== folder);
    return {
      name: `layer-${folder}`,
      comment: `src-main/${folder}/ may import only the layers below it (${layers.slice(0, rank).flat().join(', ') || 'none'}) and src-shared.`,
      severity: 'error',
      from: { path: `^src-main/${folder}/` },
      to: { path: `^src-main/(${above.join('|')})/` },
    };
  }),
);

/** Packages that need Node (or Electron) to run; the renderer and src-shared also run in a browser. */
const nodeOnlyPackages = '^node_modules/(electron|ws|h5wasm|tar-stream|tsx|csv-parse|@tensorflow/tfjs-node)/';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'No file cycles: a cycle makes the load order (and the layering) depend on who imports first.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      comment: 'No folder cycles either: a folder is a unit that points one way.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shared-stays-shared',
      comment: 'src-shared is the pure core that every runtime loads: it imports nothing else of the repository.',
      severity: 'error',
      from: { path: '^src-shared/' },
      to: { path: '^(src-main|src-renderer|test|bench|scripts|bin)/' },
    },
    {
      name: 'renderer-through-the-api',
      comment: 'The renderer reaches the main side only through the API its host gives it.',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^(src-main|test|bench|scripts|bin)/' },
    },
    {
      name: 'no-node-in-shared-or-renderer',
      comment: 'src-shared and the renderer run in a browser too: no Node built-ins, no Node-only packages.',
      severity: 'error',
      from: { path: '^(src-shared|src-renderer)/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-node-packages-in-shared-or-renderer',
      comment: 'src-shared and the renderer run in a browser too: no Node-only packages.',
      severity: 'error',
      from: { path: '^(src-shared|src-renderer)/' },
      to: { path: nodeOnlyPackages },
    },
    {
      name: 'electron-only-in-the-electron-layer',
      comment: 'Services, engine and CLI run in plain Node; only src-main/electron/ may import electron.',
      severity: 'error',
      from: { path: '^src-main/', pathNot: '^src-main/electron/' },
      to: { path: '^node_modules/electron/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve is a broken import.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(out|dist|native/build)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.node.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.cjs', '.svelte', '.d.ts'],
    },
  },
};
