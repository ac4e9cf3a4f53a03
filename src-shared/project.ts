/**
 * The project file: a layer stack plus its dataset and training settings. The same JSON is the file
 * on disk, the IPC payload and the CLI's `--model` input. `version` lets older files be migrated.
 */
import { z } from 'zod';
import { datasetOptionsSchema } from './data';
import { WorkbenchError } from './errors';
import { formatReceived, issueMessage } from './validation';
import type { LayerSpec } from './model/types';
import { getPreset } from './presets';
import { trainingConfigSchema } from './training';

/** The project format this app writes and the newest it reads. */
export const PROJECT_VERSION = 1;

/**
 * One layer as stored. Option values are not checked here: a half-edited stack must still save and
 * load, and validation reports its problems on the canvas.
 */
export const layerSpecSchema = z
  .object({
    id: z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' }),
    kind: z.string({ error: 'a layer kind such as "LSTM"' }).min(1, { error: 'a layer kind such as "LSTM"' }),
    options: z.record(z.string(), z.unknown(), { error: 'an object of Keras options' }).default({}),
    name: z
      .string({ error: 'a Keras layer name' })
      .regex(/^[A-Za-z0-9_.-]+$/, { error: 'a Keras layer name (letters, digits, _ . -)' })
      .optional(),
    trainable: z.boolean({ error: 'true or false' }).optional(),
  })
  .strict();

export const projectSchema = z
  .object({
    version: z.literal(PROJECT_VERSION),
    /** The layer stack, first layer first. */
    layers: z.array(layerSpecSchema, { error: 'a list of layers' }),
    data: z
      .object({
        /** The dataset file or folder; null until one is opened. */
        path: z.string().min(1).nullable().default(null),
        /** Tokenizing and padding options. */
        options: datasetOptionsSchema.default(datasetOptionsSchema.parse({})),
      })
      .strict()
      .default({ path: null, options: datasetOptionsSchema.parse({}) }),
    training: trainingConfigSchema.default(trainingConfigSchema.parse({})),
  })
  .strict();

export type Project = z.infer<typeof projectSchema>;
export type ProjectInput = z.input<typeof projectSchema>;

/** A new project holding `layers` (default: the SimpleRNN preset) and default data and training settings. */
export function createProject(layers: LayerSpec[] = getPreset('simplernn')!.layers): Project {
  return projectSchema.parse({ version: PROJECT_VERSION, layers });
}

/**
 * Reads a project from JSON text or an already parsed value, with house-style errors that name the
 * source: a bad file, a file from a newer app, a field of the wrong type.
 *
 * Args:
 *   input: JSON text, or the parsed value.
 *   source: what to call the input in messages, usually the file path. Default 'project'.
 */
export function parseProject(input: unknown, source = 'project'): Project {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new WorkbenchError('bad_input', `${source} must be a JSON project file. Received: invalid JSON (${(error as Error).message})`);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WorkbenchError('bad_input', `${source} must be a project object {version, layers, data, training}. Received: ${formatReceived(value)}`);
  }
  const version = (value as { version?: unknown }).version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new WorkbenchError('bad_input', `${source}: version must be a positive integer (this app writes ${PROJECT_VERSION}). Received: ${formatReceived(version)}`);
  }
  if (version > PROJECT_VERSION) {
    throw new WorkbenchError(
      'bad_input',
      `${source} was saved by a newer RNN Workbench (project version ${version}); this one reads up to version ${PROJECT_VERSION}. Update RNN Workbench to open it.`,
    );
  }
  const result = projectSchema.safeParse(value);
  if (result.success) return result.data;
  throw new WorkbenchError('bad_input', `${source}: ${issueMessage(result.error.issues[0]!, value, 'project', 'field').message}`);
}

/** The file text for a project: stable key order, two-space indent, trailing newline. */
export function serializeProject(project: Project): string {
  return JSON.stringify(projectSchema.parse(project), null, 2) + '\n';
}
