/**
 * The model spec's vocabulary: the stack the UI edits, the shapes it shows and the issues it reports.
 * Everything here is plain JSON so it crosses IPC, WebSocket and project files unchanged.
 */
import type { z } from 'zod';

/** A Keras shape with the batch dimension first; `null` is a dimension not fixed yet (`None`). */
export type Shape = (number | null)[];

/** One layer as the UI edits it and the project file stores it. */
export interface LayerSpec {
  /** Stable identity for the UI (drag and drop, issue anchors); never shown. */
  id: string;
  /** The layer kind, spelled as Keras' class name: `Embedding`, `LSTM`, `Dense`, … */
  kind: string;
  /** Keras constructor arguments in Keras' spelling (`return_sequences`); missing ones take the kind's defaults. */
  options: Record<string, unknown>;
  /** Keras layer name; when absent the Keras default (`lstm`, `lstm_1`, …) is used. */
  name?: string;
  /** Whether training updates this layer's weights (Keras `trainable`). Default true. */
  trainable?: boolean;
}

/** A layer stack, first layer first. */
export type LayerStack = LayerSpec[];

/** What the data contributes to a model: the Embedding's input. */
export interface DatasetContext {
  /** Word ids run from 0 to `maxFeatures - 1` (Keras `num_words`), so the Embedding needs `input_dim >= maxFeatures`. */
  maxFeatures?: number;
  /** Every review is padded to this many ids, so the input is `(None, maxlen)`. */
  maxlen?: number;
}

/** One weight tensor a layer creates in `build`, in Keras' order. */
export interface WeightShape {
  /** Keras' weight name: `embeddings`, `kernel`, `recurrent_kernel`, `bias`, `forward_lstm/kernel`, … */
  name: string;
  shape: number[];
}

/**
 * A tfjs-free description of the TensorFlow.js layer to build: a tfjs-layers class name and its
 * constructor config in tfjs' camelCase. `src-main/engine/tfjs-model.ts` turns it into a layer.
 */
export interface TfLayerDescription {
  className: string;
  config: Record<string, unknown>;
}

/** A change to the stack that resolves an issue, described as data so every host can apply it. */
export type FixAction =
  /** Set one option; `option` may be a dotted path into a wrapped layer (`layer.options.return_sequences`). */
  | { type: 'setOption'; layerId: string; option: string; value: unknown }
  /** Insert a new layer at `index` (0 = top). */
  | { type: 'insertLayer'; index: number; layer: Omit<LayerSpec, 'id'> }
  /** Move a layer to `index` in the stack. */
  | { type: 'moveLayer'; layerId: string; index: number }
  /** Remove a layer. */
  | { type: 'removeLayer'; layerId: string }
  /** Several changes in order, as one fix (move a layer, then turn on return_sequences above it). */
  | { type: 'all'; actions: FixAction[] };

/** A suggested fix: a button label and the change it makes. */
export interface Fix {
  label: string;
  apply: FixAction;
}

/** A problem with the stack, attached to the layer that must change. */
export interface ValidationIssue {
  /** The offending layer's id, or `null` for a problem of the whole model (an empty stack). */
  layerId: string | null;
  /** The offending layer's position, or -1 with `layerId` null. */
  layerIndex: number;
  /** The option at fault, when there is one (for highlighting the field). */
  option?: string;
  /** What is wrong and what to change, ready to show. */
  message: string;
  fix?: Fix;
}

/** A problem a kind finds with one layer, before the stack attaches ids and indexes. */
export interface LayerProblem {
  option?: string;
  message: string;
  fix?: Fix;
  /**
   * Other fixes worth weighing against `fix`, in order of preference. The analysis keeps the one
   * that leaves the fewest issues (the earliest on a tie), so a fix that moves the user's layer
   * wins over one that deletes or duplicates it when both work.
   */
  alternatives?: Fix[];
  /** The output shape and weights are still well defined, so later layers are still checked. */
  keepsShape?: boolean;
}

/** One row of the summary table, as Keras prints it. */
export interface SummaryRow {
  id: string;
  /** Keras layer name (`simple_rnn_1`). */
  name: string;
  /** Keras class name (`SimpleRNN`). */
  type: string;
  /** Output shape in Keras notation, `(None, 500, 32)`; `?` when an earlier problem leaves it unknown. */
  outputShape: string;
  /** The same shape as data, or `null` when unknown. */
  shape: Shape | null;
  /** Keras `count_params()`; `null` when the input shape is unknown. */
  params: number | null;
  /** How the count is made, e.g. `4 · (32 · (32 + 32) + 32) = 8,320`; empty for layers without weights. */
  paramFormula: string;
  /** Multiply-adds per sample for one forward pass; `null` when a dimension is unknown. */
  multiplyAdds: number | null;
  trainable: boolean;
}

/** `model.summary()` as data: the one source for the canvas, the CLI table and `--json`. */
export interface ModelSummary {
  rows: SummaryRow[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** Multiply-adds per sample over the known rows. */
  multiplyAdds: number;
  /** The Embedding's input in Keras notation, `(None, 500)`. */
  inputShape: string;
  issues: ValidationIssue[];
  /** True when there are no issues: the model builds and fits binary labels. */
  valid: boolean;
}

/** What a kind sees of the stack around one layer while it is checked. */
export interface LayerContext {
  /** This layer's id, for fixes that change it. */
  id: string;
  index: number;
  /** The resolved name of this layer (`lstm_1`). */
  name: string;
  /** The layer above, when there is one, with its resolved name and parsed options. */
  previous?: { spec: LayerSpec; name: string; options: Record<string, unknown> };
  dataset: DatasetContext;
}

/** How Keras files and Keras code spell a kind, beyond its class name and options. */
export interface KerasSpelling<O> {
  /** The first constructor arguments, passed by position as the Keras book does (`LSTM(32)`, `Conv1D(32, 7)`). */
  positional: readonly string[];
  /** The cell holding a recurrent layer's weights (`lstm_cell`): Keras 2 names them `<layer>/lstm_cell/kernel:0`, Keras 3 stores them under `cell/`. */
  cell?: string;
  /** Other class names Keras files use for this kind (`MaxPool1D`, `CuDNNLSTM`). */
  aliases?: readonly string[];
  /** Sizes Keras 3 writes as 1-element lists (`kernel_size: [7]`), which Keras files may hold either way. */
  tupleOptions?: readonly string[];
  /** The Keras 3 config from the options (tuple options already listed), when Keras 3 adds or drops entries (`data_format`). */
  keras3Config?(options: O): Record<string, unknown>;
}

/**
 * How the torch-job's `model.py` builds a kind from its `rnnwb.py` module:
 * `rnnwb.<Kind>(name, [input features,] positional…, keyword=value…, [trainable=…])`.
 */
export interface TorchCall {
  /** Pass the size of the input's last axis after the name. */
  inputFeatures: boolean;
  positional: readonly string[];
  keywords: readonly string[];
  /** Pass `trainable=` (layers with weights). */
  trainable: boolean;
}

/**
 * One layer kind: everything the app knows about a Keras layer class. Adding a kind is one file that
 * exports such an object, plus one line in the registry.
 */
export interface LayerKind<O extends Record<string, unknown> = Record<string, unknown>> {
  /** Keras class name; also the `kind` in a LayerSpec and the `type` in the summary. */
  kind: string;
  /** Keras' default-name prefix (`simple_rnn`). */
  namePrefix: string;
  /** One line for the palette. */
  description: string;
  category: 'embedding' | 'recurrent' | 'wrapper' | 'core' | 'convolution' | 'pooling' | 'regularization';
  /** Options with Keras names and defaults; parsing `{}` gives the defaults. Each option's one-line help is its `describe()`, which the inspector shows. */
  optionsSchema: z.ZodType<O>;
  /**
   * Problems with this layer given its input (never null here: the stack stops checking shapes at the
   * first layer whose input is unknown). Returning none promises `outputShape` and `weightShapes` hold.
   */
  validate(options: O, inputShape: Shape, ctx: LayerContext): LayerProblem[];
  /** Keras `compute_output_shape`. */
  outputShape(options: O, inputShape: Shape): Shape;
  /** The weights Keras' `build` creates, in order; the parameter count is always derived from these. */
  weightShapes(options: O, inputShape: Shape): WeightShape[];
  /** How the parameter count is made, as arithmetic over the options (without `= total`). */
  paramFormula(options: O, inputShape: Shape): string;
  /** Multiply-adds per sample, or `null` when a dimension is unknown. */
  multiplyAdds(options: O, inputShape: Shape): number | null;
  /** Whether this layer passes an Embedding's `mask_zero` mask on (true), consumes it (false), or cannot take one (`'unsupported'`). */
  mask(options: O): boolean | 'unsupported';
  /** The tfjs-layers layer that computes exactly this Keras layer. */
  toTfjs(options: O, inputShape: Shape): TfLayerDescription;
  /** The options worth showing on the layer's card, as one line (`32 units · return_sequences …`); the inspector shows the rest. */
  cardText(options: O): string;
  /** The output has the input's rank (Dense, Dropout), so a sequence passes through it to the layer below. */
  keepsRank: boolean;
  /** Whether a run's default name lists this layer (`LSTM(32) → Conv1D`); the input and output layers do not. */
  namesRun: boolean;
  keras: KerasSpelling<O>;
  /** How the torch-job builds it; absent when the job cannot express the kind. */
  torch?: TorchCall;
}

/** The members of a kind without weights (pooling, dropout, Flatten, Activation): no weights, no parameters, no multiply-adds. */
export const weightless = {
  weightShapes: (): WeightShape[] => [],
  paramFormula: (): string => '',
  multiplyAdds: (): number => 0,
} as const;
