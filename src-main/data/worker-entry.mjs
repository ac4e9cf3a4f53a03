// Entry of the data parser process when running from TypeScript sources (CLI via tsx, vitest): a forked
// process does not inherit the parent's loaders, so tsx is registered here before the .ts module is imported.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
