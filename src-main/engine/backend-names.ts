// The backend names without TensorFlow.js, so the CLI can print and check `--backend` before the engine loads.

/** The backends the engine knows, fastest first. */
export const backendNames = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof backendNames)[number];

/** Validates a backend name from the environment or a flag. */
export function parseBackendName(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === '') return undefined;
  if ((backendNames as readonly string[]).includes(value)) return value as BackendName;
  throw new Error(`RNN_WORKBENCH_BACKEND must be one of ${backendNames.join(', ')}. Received: ${value}`);
}
