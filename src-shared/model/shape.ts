/** Keras shape notation and the checks every kind shares. */
import type { LayerContext, LayerProblem, Shape } from './types';

/** `[null, 500, 32]` → `(None, 500, 32)`, as Keras prints it (a 1-tuple keeps its comma). */
export function formatShape(shape: Shape): string {
  const dims = shape.map((dim) => (dim === null ? 'None' : String(dim)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

/** The option that switches return_sequences on the layer above, if it is recurrent. */
function returnSequencesOption(previous: NonNullable<LayerContext['previous']>): string | undefined {
  if (typeof previous.options.return_sequences === 'boolean') return 'return_sequences';
  const wrapped = previous.options.layer as { options?: Record<string, unknown> } | undefined;
  if (typeof wrapped?.options?.return_sequences === 'boolean') return 'layer.options.return_sequences';
  return undefined;
}

/**
 * Requires a 3-D input `(None, steps, features)` with known features, and says what to change
 * when the layer above gives something else.
 */
export function requireSequence(kind: string, input: Shape, ctx: LayerContext): LayerProblem[] {
  if (input.length === 3) {
    if (input[2] !== null) return [];
    return [{ message: `${kind} needs a known feature size, but its input is ${formatShape(input)}. Set a fixed size on the layer above.` }];
  }
  const previous = ctx.previous;
  if (previous === undefined) {
    return [{ message: `${kind} needs a sequence (None, steps, features). Received: ${formatShape(input)}. Put an Embedding above it.` }];
  }
  const option = returnSequencesOption(previous);
  if (option !== undefined) {
    return [
      {
        message: `${kind} needs a sequence: turn on return_sequences on ${previous.name} above`,
        fix: {
          label: `Turn on return_sequences on ${previous.name}`,
          apply: { type: 'setOption', layerId: previous.spec.id, option, value: true },
        },
      },
    ];
  }
  return [
    {
      message: `${kind} needs a sequence (None, steps, features), but ${previous.name} above gives ${formatShape(input)}. Move ${ctx.name} above ${previous.name}, or remove ${previous.name}.`,
      fix: { label: `Move ${ctx.name} above ${previous.name}`, apply: { type: 'moveLayer', layerId: ctx.id, index: ctx.index - 1 } },
      alternatives: [{ label: `Remove ${previous.name}`, apply: { type: 'removeLayer', layerId: previous.spec.id } }],
    },
  ];
}

/** Requires a known last dimension, as Keras' Dense and Conv1D `build` do. */
export function requireKnownLastDim(kind: string, input: Shape, ctx: LayerContext): LayerProblem[] {
  if (input.length >= 2 && input[input.length - 1] !== null) return [];
  const above = ctx.previous === undefined ? 'its input is' : `${ctx.previous.name} above gives`;
  return [
    {
      message: `${kind} needs a known last dimension, but ${above} ${formatShape(input)}. Set the sequence length (the dataset's maxlen or the Embedding's input_length), or pool over time first.`,
    },
  ];
}
