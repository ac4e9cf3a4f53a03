// Entry of the engine worker when running from TypeScript sources (CLI via tsx, vitest): a worker thread does
// not inherit the parent's loaders, so tsx is registered here before the .ts worker is imported.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
