/**
 * tfjs-layers layers backed by the fused kernels: SimpleRNN, LSTM, GRU (reset_after true and false)
 * and Bidirectional, with Keras' weight layout and names so weights copy to and from the standard
 * layers and export unchanged.
 *
 * Porting note: Keras 3 draws one dropout mask per input and one per state, shared by all gates;
 * tfjs-layers draws one per gate. We follow Keras 3.
 */
import * as tf from '@tensorflow/tfjs';
import { float32, fusedRecurrent, gatesOf, type FusedCell } from './ops';

type Shape = (number | null)[];
type Kwargs = Record<string, unknown>;

/** The recurrent kinds the fused path builds, spelled as Keras' class names. */
export type FusedKind = 'SimpleRNN' | 'LSTM' | 'GRU';

/** Constructor config of a fused recurrent layer (Keras' options in tfjs' camelCase). */
export interface FusedRecurrentConfig {
  kind: FusedKind;
  /** Dimensionality of the output space. */
  units: number;
  /** Whether the layer adds bias vectors. Default true. */
  useBias?: boolean;
  /** Return the whole output sequence instead of the last output. Default false. */
  returnSequences?: boolean;
  /** Process the sequence backwards (outputs stay in processing order, as Keras). Default false. */
  goBackwards?: boolean;
  /** Fraction of the inputs to drop in training. Default 0. */
  dropout?: number;
  /** Fraction of the recurrent state to drop in training. Default 0. */
  recurrentDropout?: number;
  /** LSTM: initialise the forget gate's bias to 1. Default true. */
  unitForgetBias?: boolean;
  /** GRU: apply the reset gate after the recurrent product, with a `[2, 3·units]` bias. Default true (Keras). */
  resetAfter?: boolean;
  /** Layer name (Keras `name`). */
  name?: string;
  /** Whether training updates the weights. Default true. */
  trainable?: boolean;
  /** Prefix of the weight names, for the layers a Bidirectional owns (`forward_lstm/`). */
  weightPrefix?: string;
}

// tfjs serialisation writes string values in snake_case (`LSTM` → `lstm`, `SimpleRNN` → `simple_rnn`).
function kindOf(kind: string): FusedKind {
  const known: Record<string, FusedKind> = { simplernn: 'SimpleRNN', lstm: 'LSTM', gru: 'GRU' };
  const found = known[kind.replace(/_/g, '').toLowerCase()];
  if (found === undefined) throw new Error(`A fused recurrent layer must be SimpleRNN, LSTM or GRU. Received: ${kind}`);
  return found;
}

function cellOf(config: FusedRecurrentConfig): FusedCell {
  switch (kindOf(config.kind)) {
    case 'SimpleRNN':
      return 'simple';
    case 'LSTM':
      return 'lstm';
    case 'GRU':
      return config.resetAfter === false ? 'gru' : 'gruResetAfter';
  }
}

function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0]! : inputs;
}

function singleShape(shape: Shape | Shape[]): Shape {
  return Array.isArray(shape[0]) ? (shape[0] as Shape) : (shape as Shape);
}

/** A recurrent layer whose whole sequence runs as one fused op forward and one backward. */
export class FusedRecurrent extends tf.layers.Layer {
  /** Porting note: serialised as `FusedRecurrent`; `toStandardConfig` gives the tfjs-layers equivalent. */
  static className = 'FusedRecurrent';
  readonly kind: FusedKind;
  readonly units: number;
  readonly cell: FusedCell;
  readonly useBias: boolean;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly unitForgetBias: boolean;
  private readonly weightPrefix: string;
  private kernel?: tf.LayerVariable;
  private recurrentKernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(config: FusedRecurrentConfig) {
    super({ name: config.name, trainable: config.trainable });
    this.kind = kindOf(config.kind);
    this.units = config.units;
    this.cell = cellOf(config);
    this.useBias = config.useBias ?? true;
    this.returnSequences = config.returnSequences ?? false;
    this.goBackwards = config.goBackwards ?? false;
    this.dropout = config.dropout ?? 0;
    this.recurrentDropout = config.recurrentDropout ?? 0;
    this.unitForgetBias = config.unitForgetBias ?? true;
    this.weightPrefix = config.weightPrefix ?? '';
    this.supportsMasking = true;
  }

  override build(inputShape: Shape | Shape[]): void {
    const inputDim = singleShape(inputShape)[2];
    if (typeof inputDim !== 'number') {
      throw new Error(`${this.kind} needs a known feature size: expected input [batch, time, features]. Received: [${singleShape(inputShape).join(', ')}]`);
    }
    const width = gatesOf[this.cell] * this.units;
    const p = this.weightPrefix;
    // Keras' initializers: glorot_uniform kernel, orthogonal recurrent kernel, zero bias.
    this.kernel = this.addWeight(`${p}kernel`, [inputDim, width], 'float32', tf.initializers.glorotUniform({}));
    this.recurrentKernel = this.addWeight(`${p}recurrent_kernel`, [this.units, width], 'float32', tf.initializers.orthogonal({ gain: 1 }));
    if (this.useBias) {
      const shape = this.cell === 'gruResetAfter' ? [2, width] : [width];
      this.bias = this.addWeight(`${p}bias`, shape, 'float32', tf.initializers.zeros());
      if (this.cell === 'lstm' && this.unitForgetBias) {
        const u = this.units;
        this.bias.write(tf.tidy(() => tf.concat([tf.zeros([u]), tf.ones([u]), tf.zeros([2 * u])])));
      }
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(inputShape);
    return this.returnSequences ? [shape[0]!, shape[1]!, this.units] : [shape[0]!, this.units];
  }

  override computeMask(_inputs: tf.Tensor | tf.Tensor[], mask?: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const m = Array.isArray(mask) ? mask[0] : mask;
    // tfjs types the result as non-null, but null is how a layer says "no mask" (RNN.computeMask does the same).
    return (this.returnSequences && m !== undefined ? m : null) as tf.Tensor;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      let x = single(inputs);
      const [batch, time, inputDim] = x.shape as [number, number, number];
      const training = kwargs['training'] === true;
      if (training && this.dropout > 0) x = tf.dropout(x, this.dropout, [batch, 1, inputDim]);
      let maskTensor = kwargs['mask'] as tf.Tensor | undefined;
      if (Array.isArray(maskTensor)) maskTensor = maskTensor[0] as tf.Tensor | undefined;
      if (this.goBackwards) {
        x = tf.reverse(x, 1);
        if (maskTensor != null) maskTensor = tf.reverse(maskTensor, 1);
      }
      const mask = maskTensor == null ? undefined : float32(tf.cast(tf.reshape(maskTensor, [batch, time]), 'float32'));
      const recurrentDropoutMask =
        training && this.recurrentDropout > 0 ? float32(tf.dropout(tf.ones([batch, this.units]), this.recurrentDropout)) : undefined;
      const bias = this.bias?.read() ?? tf.zeros(this.cell === 'gruResetAfter' ? [2, gatesOf[this.cell] * this.units] : [gatesOf[this.cell] * this.units]);
      return fusedRecurrent(this.cell, x, this.kernel!.read(), this.recurrentKernel!.read(), bias, {
        mask,
        recurrentDropoutMask,
        returnSequences: this.returnSequences,
      });
    });
  }

  /** The equivalent tfjs-layers config (camelCase), for serialising the model as standard layers. */
  toStandardConfig(): Record<string, unknown> {
    return {
      name: this.name,
      trainable: this.trainable,
      units: this.units,
      activation: 'tanh',
      useBias: this.useBias,
      returnSequences: this.returnSequences,
      goBackwards: this.goBackwards,
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      ...(this.kind === 'SimpleRNN' ? {} : { recurrentActivation: 'sigmoid' }),
      ...(this.kind === 'LSTM' ? { unitForgetBias: this.unitForgetBias } : {}),
      ...(this.kind === 'GRU' ? { resetAfter: this.cell === 'gruResetAfter' } : {}),
    };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), kind: this.kind, ...this.toStandardConfig() } as tf.serialization.ConfigDict;
  }
}

/** How Bidirectional combines its two outputs. */
export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';

/** Keras `Bidirectional` over a fused recurrent layer; weights `forward_<name>/…` then `backward_<name>/…`. */
export class FusedBidirectional extends tf.layers.Layer {
  static className = 'FusedBidirectional';
  readonly forwardLayer: FusedRecurrent;
  readonly backwardLayer: FusedRecurrent;
  readonly mergeMode: MergeMode;
  readonly returnSequences: boolean;

  /**
   * Args:
   *   layer: config of the wrapped layer; the backward copy gets `goBackwards` flipped.
   *   mergeMode: 'concat' (default), 'sum', 'mul' or 'ave'.
   *   name: layer name.
   */
  constructor(config: { layer: FusedRecurrentConfig; mergeMode?: MergeMode; name?: string; trainable?: boolean }) {
    super({ name: config.name, trainable: config.trainable });
    // Keras' inner names are the wrapped layer's default name (`lstm`), prefixed by direction.
    const kind = kindOf(config.layer.kind);
    const inner = kind === 'SimpleRNN' ? 'simple_rnn' : kind.toLowerCase();
    const goBackwards = config.layer.goBackwards ?? false;
    this.forwardLayer = new FusedRecurrent({ ...config.layer, name: `${this.name}_forward`, weightPrefix: `forward_${inner}/` });
    this.backwardLayer = new FusedRecurrent({
      ...config.layer,
      goBackwards: !goBackwards,
      name: `${this.name}_backward`,
      weightPrefix: `backward_${inner}/`,
    });
    this.mergeMode = config.mergeMode ?? 'concat';
    this.returnSequences = config.layer.returnSequences ?? false;
    this.supportsMasking = true;
  }

  override build(inputShape: Shape | Shape[]): void {
    // Built inside this layer's apply(), so the weights are named `<bidirectional>/forward_lstm/kernel`.
    this.forwardLayer.build(inputShape);
    this.backwardLayer.build(inputShape);
    this.built = true;
  }

  override get trainableWeights(): tf.LayerVariable[] {
    if (!this.trainable) return [];
    return [...this.forwardLayer.trainableWeights, ...this.backwardLayer.trainableWeights];
  }

  override set trainableWeights(_weights: tf.LayerVariable[]) {
    throw new Error('FusedBidirectional owns its weights through its forward and backward layers.');
  }

  override get nonTrainableWeights(): tf.LayerVariable[] {
    if (this.trainable) return [];
    return [...this.forwardLayer.weights, ...this.backwardLayer.weights];
  }

  override set nonTrainableWeights(_weights: tf.LayerVariable[]) {
    throw new Error('FusedBidirectional owns its weights through its forward and backward layers.');
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = this.forwardLayer.computeOutputShape(inputShape);
    if (this.mergeMode === 'concat') shape[shape.length - 1] = 2 * (shape[shape.length - 1] as number);
    return shape;
  }

  override computeMask(_inputs: tf.Tensor | tf.Tensor[], mask?: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const m = Array.isArray(mask) ? mask[0] : mask;
    // tfjs types the result as non-null, but null is how a layer says "no mask" (RNN.computeMask does the same).
    return (this.returnSequences && m !== undefined ? m : null) as tf.Tensor;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const y = this.forwardLayer.call(inputs, kwargs);
      let yRev = this.backwardLayer.call(inputs, kwargs);
      // Keras re-reverses the backward sequence so both outputs line up step by step.
      if (this.returnSequences) yRev = tf.reverse(yRev, 1);
      switch (this.mergeMode) {
        case 'concat':
          return tf.concat([y, yRev], -1);
        case 'sum':
          return tf.add(y, yRev);
        case 'mul':
          return tf.mul(y, yRev);
        case 'ave':
          return tf.mul(0.5, tf.add(y, yRev));
      }
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      mergeMode: this.mergeMode,
      layer: { kind: this.forwardLayer.kind, ...this.forwardLayer.toStandardConfig() },
    } as tf.serialization.ConfigDict;
  }
}
