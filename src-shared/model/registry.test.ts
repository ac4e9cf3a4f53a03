import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { layerKinds } from './registry';

/**
 * Every option the inspector shows for a schema, with its help text: the object's own options and,
 * through a wrapped layer (Bidirectional's `layer`), the wrapped kind's options.
 */
function optionDescriptions(schema: z.ZodType, prefix = ''): { path: string; description: string | undefined }[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([key, option]) => {
    const path = prefix + key;
    let inner: z.ZodType = option;
    while (inner instanceof z.ZodDefault || inner instanceof z.ZodNullable) inner = inner.unwrap() as z.ZodType;
    const wrapped =
      inner instanceof z.ZodDiscriminatedUnion
        ? (inner.options as z.ZodObject[]).flatMap((member) => {
            const kind = (member.shape.kind as z.ZodLiteral).value;
            const options = (member.shape.options as z.ZodDefault).unwrap() as z.ZodType;
            return optionDescriptions(options, `${path}(${String(kind)}).`);
          })
        : [];
    return [{ path, description: option.description }, ...wrapped];
  });
}

describe('layer registry', () => {
  const options = Object.values(layerKinds).flatMap((kind) => optionDescriptions(kind.optionsSchema, `${kind.kind}.`));

  it('reaches the options of every kind, wrapped ones included', () => {
    const paths = options.map((option) => option.path);
    expect(paths).toContain('LSTM.units');
    expect(paths).toContain('Embedding.input_dim');
    expect(paths).toContain('Bidirectional.layer(GRU).reset_after');
    // Kinds with options (Flatten and the global poolings have none) all contribute.
    expect(new Set(paths.map((path) => path.split('.')[0]))).toEqual(new Set(['Embedding', 'SimpleRNN', 'LSTM', 'GRU', 'Bidirectional', 'Dense', 'Activation', 'Dropout', 'SpatialDropout1D', 'Conv1D', 'MaxPooling1D']));
  });

  it('describes every option in one line that states the default', () => {
    const problems = options.flatMap(({ path, description }) => {
      if (description === undefined || description.trim() === '') return [`${path}: no description`];
      const wrong: string[] = [];
      if (description.length > 110) wrong.push(`${path}: ${description.length} characters`);
      if (/\n/.test(description)) wrong.push(`${path}: more than one line`);
      if (!/ Default [^ ].*\.$/.test(description)) wrong.push(`${path}: does not end with its default`);
      return wrong;
    });
    expect(problems).toEqual([]);
  });

  it('reads the description back from the runtime schema', () => {
    expect(layerKinds.LSTM!.optionsSchema).toBeInstanceOf(z.ZodObject);
    expect(options.find((option) => option.path === 'LSTM.units')?.description).toMatch(/^Dimensionality of the output space/);
    expect(options.find((option) => option.path === 'Dense.units')?.description).toMatch(/Default 1\.$/);
  });
});

describe("what each kind declares for exports, imports and the canvas", () => {
  const kinds = Object.values(layerKinds);

  it('names only options it has: Python positional arguments, Keras 3 tuples, torch-job arguments', () => {
    for (const kind of kinds) {
      const names = Object.keys(kind.optionsSchema.parse({}) as object);
      const named = [...kind.keras.positional, ...(kind.keras.tupleOptions ?? []), ...(kind.torch?.positional ?? []), ...(kind.torch?.keywords ?? [])];
      expect(named.filter((name) => !names.includes(name)), kind.kind).toEqual([]);
    }
  });

  it('a Keras cell exactly for the recurrent kinds, and no alias claimed twice or shadowing a kind', () => {
    expect(kinds.filter((kind) => kind.keras.cell !== undefined).map((kind) => kind.kind)).toEqual(['SimpleRNN', 'LSTM', 'GRU']);
    const aliases = kinds.flatMap((kind) => kind.keras.aliases ?? []);
    expect(new Set(aliases).size).toBe(aliases.length);
    expect(aliases.filter((alias) => Object.hasOwn(layerKinds, alias))).toEqual([]);
  });

  it('every kind can be expressed as a torch job, so a new kind must say how', () => {
    expect(kinds.filter((kind) => kind.torch === undefined)).toEqual([]);
  });
});
