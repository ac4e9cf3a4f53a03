/**
 * One pass over a stack: names, parsed options, shapes, weights and issues, layer by layer. It is
 * pure arithmetic, cheap enough to run on every keystroke; `summarize` and `validateStack` read it.
 */
import { modelInputShape, type EmbeddingOptions } from './embedding';
import { resolveNames } from './names';
import { describeOptionErrors, formatReceived } from './options';
import { getLayerKind, layerKindNames } from './registry';
import { formatShape } from './shape';
import { applyFix } from './fix';
import type { DatasetContext, Fix, FixAction, LayerContext, LayerKind, LayerProblem, LayerSpec, Shape, ValidationIssue, WeightShape } from './types';

/** What the analysis knows about one layer. */
export interface AnalyzedLayer {
  spec: LayerSpec;
  name: string;
  /** A Bidirectional's wrapped layer's own Keras name (`lstm`); its halves are `forward_lstm`, `backward_lstm`. */
  wrappedName?: string;
  kind: LayerKind | undefined;
  /** Options with defaults filled in, or null when they do not parse. */
  options: Record<string, unknown> | null;
  /** Null when an earlier problem (or this layer's own) leaves it unknown. */
  inputShape: Shape | null;
  outputShape: Shape | null;
  weights: WeightShape[] | null;
}

export interface StackAnalysis {
  layers: AnalyzedLayer[];
  /** The model's input `(None, steps)`, known once the first layer is a valid Embedding. */
  inputShape: Shape | null;
  issues: ValidationIssue[];
}

const binaryOutput = { units: 1, activation: 'sigmoid' } as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** What `analyzeStack` checks and works out beyond each layer's own validity. */
export interface AnalyzeOptions {
  /**
   * Require the Dense(1, sigmoid) head that binary labels need. Default true; false to build and run a
   * model with another head (an imported Keras model with a 6-class softmax predicts, but cannot train here).
   */
  binaryOutput?: boolean;
  /** Choose between candidate fixes. Default true; false for the trial analyses that choice runs itself. */
  weighFixes?: boolean;
}

/** Analyses a stack against an optional dataset (for the Embedding's input_dim and the sequence length). */
export function analyzeStack(stack: readonly LayerSpec[], dataset: DatasetContext = {}, { binaryOutput = true, weighFixes = true }: AnalyzeOptions = {}): StackAnalysis {
  const issues: ValidationIssue[] = [];
  const { names, wrapped } = resolveNames(stack);
  const layers: AnalyzedLayer[] = [];
  const candidates = new Map<ValidationIssue, Fix[]>();
  const report = (index: number, { alternatives, ...problem }: LayerProblem) => {
    const issue: ValidationIssue = { layerId: stack[index]!.id, layerIndex: index, ...problem };
    if (problem.fix !== undefined && alternatives !== undefined && alternatives.length > 0) candidates.set(issue, [problem.fix, ...alternatives]);
    issues.push(issue);
  };

  if (stack.length === 0) {
    issues.push({
      layerId: null,
      layerIndex: -1,
      message: 'The model has no layers. Add an Embedding, a recurrent layer and Dense(1, sigmoid), or start from a preset.',
    });
    return { layers, inputShape: null, issues };
  }

  const seenIds = new Set<string>();
  const seenNames = new Set<string>();
  stack.forEach((spec, index) => {
    if (seenIds.has(spec.id)) report(index, { message: `Layer ids must be unique. Received: '${spec.id}' twice` });
    seenIds.add(spec.id);
    const name = names[index]!;
    if (seenNames.has(name)) {
      report(index, { option: 'name', message: `Layer names must be unique; rename this layer. Received: '${name}' twice` });
    }
    seenNames.add(name);
  });

  let modelInput: Shape | null = null;
  let shape: Shape | null = null;
  // The Embedding whose mask_zero mask reaches the current layer, if any.
  let maskFrom: AnalyzedLayer | null = null;

  stack.forEach((spec, index) => {
    const name = names[index]!;
    const kind = getLayerKind(spec.kind);
    const layer: AnalyzedLayer = { spec, name, wrappedName: wrapped[index], kind, options: null, inputShape: null, outputShape: null, weights: null };
    const previousLayer = layers[index - 1];
    layers.push(layer);

    if (kind === undefined) {
      report(index, { message: `Layer kind must be one of ${layerKindNames.join(', ')}. Received: ${formatReceived(spec.kind)}` });
      shape = null;
      return;
    }
    const rawOptions = spec.options ?? {};
    if (!isPlainObject(rawOptions)) {
      report(index, { message: `${name} options must be an object. Received: ${formatReceived(rawOptions)}` });
      shape = null;
      return;
    }
    const parsed = kind.optionsSchema.safeParse(rawOptions);
    if (!parsed.success) {
      for (const problem of describeOptionErrors(parsed.error, rawOptions, kind.kind)) report(index, problem);
      shape = null;
      return;
    }
    const options = parsed.data;
    layer.options = options;

    if (index === 0 && kind.kind !== 'Embedding') {
      report(index, {
        message: `The first layer must be an Embedding that turns word ids into vectors. Received: ${kind.kind}`,
        fix: { label: 'Add an Embedding at the top', apply: { type: 'insertLayer', index: 0, layer: { kind: 'Embedding', options: {} } } },
      });
      shape = null;
      return;
    }
    if (index > 0 && kind.kind === 'Embedding') {
      const firstIsEmbedding = stack[0]!.kind === 'Embedding';
      report(index, {
        message: `Embedding must be the first layer: it reads the word ids. Received: at position ${index + 1}`,
        fix: firstIsEmbedding
          ? { label: `Remove ${name}`, apply: { type: 'removeLayer', layerId: spec.id } }
          : { label: `Move ${name} to the top`, apply: { type: 'moveLayer', layerId: spec.id, index: 0 } },
      });
      shape = null;
      return;
    }
    if (index === 0) {
      modelInput = modelInputShape(options as EmbeddingOptions, dataset);
      shape = modelInput;
    }

    const input: Shape | null = shape;
    if (input === null) return;
    layer.inputShape = input;
    const ctx: LayerContext = {
      id: spec.id,
      index,
      name,
      previous: previousLayer && { spec: previousLayer.spec, name: previousLayer.name, options: previousLayer.options ?? {} },
      dataset,
    };
    const problems = kind.validate(options, input, ctx);
    const masking = kind.mask(options);
    if (maskFrom !== null && masking === 'unsupported') {
      problems.push({
        keepsShape: true,
        message: `${kind.kind} cannot take the padding mask from ${maskFrom.name} (mask_zero): turn off mask_zero on ${maskFrom.name}`,
        fix: { label: `Turn off mask_zero on ${maskFrom.name}`, apply: { type: 'setOption', layerId: maskFrom.spec.id, option: 'mask_zero', value: false } },
      });
    }
    for (const { keepsShape: _, ...problem } of problems) report(index, problem);
    if (problems.some((problem) => problem.keepsShape !== true)) {
      shape = null;
      return;
    }
    layer.outputShape = kind.outputShape(options, input);
    layer.weights = kind.weightShapes(options, input);
    shape = layer.outputShape;
    maskFrom = index === 0 ? (masking === true ? layer : null) : masking === true ? maskFrom : null;
  });

  const last = layers[layers.length - 1]!;
  if (binaryOutput && last.outputShape !== null && last.options !== null) checkOutput(layers, report);
  if (weighFixes) {
    for (const [issue, fixes] of candidates) issue.fix = bestFix(stack, dataset, issues.length, fixes);
  }
  return { layers, inputShape: modelInput, issues };
}

/** The layer a fix moves, whose new place may need a follow-up. */
function movedLayer(action: FixAction): string | undefined {
  if (action.type === 'moveLayer') return action.layerId;
  if (action.type === 'all') return action.actions.map(movedLayer).find((id) => id !== undefined);
  return undefined;
}

/**
 * A candidate completed with the option changes its moved layer then asks for (a recurrent layer
 * moved under one that does not return sequences asks for return_sequences on it), so one press
 * gives a working stack. Returns the fix and how many issues remain after it.
 */
function complete(stack: readonly LayerSpec[], dataset: DatasetContext, fix: Fix): { fix: Fix; remaining: number } {
  let current = fix;
  let after = analyzeStack(applyFix(stack, current.apply), dataset, { weighFixes: false }).issues;
  const moved = movedLayer(fix.apply);
  for (let round = 0; moved !== undefined && round < 2; round += 1) {
    const followUp = after.find((issue) => issue.layerId === moved && issue.fix?.apply.type === 'setOption')?.fix;
    if (followUp === undefined) break;
    current = {
      label: `${current.label} and ${followUp.label.charAt(0).toLowerCase()}${followUp.label.slice(1)}`,
      apply: { type: 'all', actions: [...(current.apply.type === 'all' ? current.apply.actions : [current.apply]), followUp.apply] },
    };
    after = analyzeStack(applyFix(stack, current.apply), dataset, { weighFixes: false }).issues;
  }
  return { fix: current, remaining: after.length };
}

/** Of the candidate fixes (in order of preference), the one leaving the fewest issues; the first on a tie. */
function bestFix(stack: readonly LayerSpec[], dataset: DatasetContext, issuesNow: number, fixes: Fix[]): Fix {
  let best: { fix: Fix; remaining: number } | undefined;
  for (const fix of fixes) {
    const tried = complete(stack, dataset, fix);
    if (best === undefined || tried.remaining < best.remaining) best = tried;
  }
  // A candidate that helps nothing is no better than the first one as it was written.
  return best !== undefined && best.remaining < issuesNow ? best.fix : fixes[0]!;
}

/** The last layer must give one probability per review: Dense(1, sigmoid) on a 2-D input. */
function checkOutput(layers: AnalyzedLayer[], report: (index: number, problem: LayerProblem) => void): void {
  const index = layers.length - 1;
  const last = layers[index]!;
  const options = last.options!;
  // Dense(1) → Activation('sigmoid') is the same output, as Keras 2's IMDb examples write it.
  if (last.spec.kind === 'Activation' && options.activation === 'sigmoid' && last.outputShape!.length === 2 && last.outputShape![1] === 1) return;
  if (last.spec.kind !== 'Dense') {
    const add: Fix = { label: 'Add Dense(1, sigmoid) at the end', apply: { type: 'insertLayer', index: index + 1, layer: { kind: 'Dense', options: { ...binaryOutput } } } };
    // A Dense placed higher up is most likely the output the user meant: move it rather than add another.
    const misplaced = [...layers].reverse().find((layer) => layer.spec.kind === 'Dense' && layer.options !== null);
    const isBinary = misplaced?.options?.units === 1 && misplaced.options.activation === 'sigmoid';
    const move: Fix | undefined =
      misplaced === undefined
        ? undefined
        : {
            label: isBinary ? `Move ${misplaced.name} to the end` : `Move ${misplaced.name} to the end as Dense(1, sigmoid)`,
            apply: isBinary
              ? { type: 'moveLayer', layerId: misplaced.spec.id, index }
              : {
                  type: 'all',
                  actions: [
                    { type: 'moveLayer', layerId: misplaced.spec.id, index },
                    { type: 'setOption', layerId: misplaced.spec.id, option: 'units', value: 1 },
                    { type: 'setOption', layerId: misplaced.spec.id, option: 'activation', value: 'sigmoid' },
                  ],
                },
          };
    report(index, {
      message: `The model must end with Dense(1, sigmoid) to predict a binary label. Received: ${last.spec.kind} last`,
      ...(move === undefined ? { fix: add } : { fix: move, alternatives: [add] }),
    });
    return;
  }
  if (last.outputShape!.length > 2) {
    // The layer that made the sequence, looking past layers that keep the shape.
    const maker = layers
      .slice(0, index)
      .reverse()
      .find((layer) => getLayerKind(layer.spec.kind)?.keepsRank !== true);
    const option = maker === undefined ? undefined : returnsSequences(maker);
    const sequenceSource = option === undefined ? undefined : maker;
    report(index, {
      message:
        option !== undefined && sequenceSource !== undefined
          ? `${last.name} gets a sequence ${formatShape(last.inputShape!)} and would predict once per step: turn off return_sequences on ${sequenceSource.name} above`
          : `${last.name} gets a sequence ${formatShape(last.inputShape!)} and would predict once per step: add GlobalMaxPooling1D or Flatten above it`,
      fix:
        option !== undefined && sequenceSource !== undefined
          ? { label: `Turn off return_sequences on ${sequenceSource.name}`, apply: { type: 'setOption', layerId: sequenceSource.spec.id, option, value: false } }
          : { label: 'Add GlobalMaxPooling1D above it', apply: { type: 'insertLayer', index, layer: { kind: 'GlobalMaxPooling1D', options: {} } } },
    });
    return;
  }
  if (options.units !== 1) {
    report(index, {
      option: 'units',
      message: `The output Dense must have 1 unit to predict a binary label. Received: ${formatReceived(options.units)}`,
      fix: { label: 'Set units to 1', apply: { type: 'setOption', layerId: last.spec.id, option: 'units', value: 1 } },
    });
  }
  if (options.activation !== 'sigmoid') {
    report(index, {
      option: 'activation',
      message: `The output Dense must use the sigmoid activation to give a probability. Received: ${formatReceived(options.activation)}`,
      fix: { label: 'Use sigmoid', apply: { type: 'setOption', layerId: last.spec.id, option: 'activation', value: 'sigmoid' } },
    });
  }
}

/** The option path of a recurrent layer's return_sequences when it is on, else undefined. */
function returnsSequences(layer: AnalyzedLayer): string | undefined {
  if (layer.options === null) return undefined;
  if (layer.options.return_sequences === true) return 'return_sequences';
  const wrapped = layer.options.layer as { options?: Record<string, unknown> } | undefined;
  if (wrapped?.options?.return_sequences === true) return 'layer.options.return_sequences';
  return undefined;
}
