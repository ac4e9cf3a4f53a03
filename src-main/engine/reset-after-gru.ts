/**
 * Keras' GRU with `reset_after=True` (its default since TF 2), which tfjs-layers' `GRUCell` refuses.
 *
 * Weights as Keras builds them: `kernel` [features, 3·units], `recurrent_kernel` [units, 3·units] and
 * `bias` [2, 3·units] (row 0 the input bias, row 1 the recurrent bias), gates in the order z, r, h.
 * Per step:
 *   x_z, x_r, x_h = x · kernel + bias[0]
 *   h_z, h_r, h_h = h · recurrent_kernel + bias[1]
 *   z = σ(x_z + h_z);  r = σ(x_r + h_r);  ĥ = tanh(x_h + r ⊙ h_h);  h' = z ⊙ h + (1 − z) ⊙ ĥ
 *
 * Porting note: registered as `ResetAfterGRU` / `ResetAfterGRUCell` because tfjs-layers owns `GRU`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';
import { resetAfterGruClassName } from '../../src-shared/model/gru';

type Initializer = ReturnType<typeof tf.initializers.zeros>;
type InitializerConfig = { className: string; config: tf.serialization.ConfigDict };

/** The constructor arguments, in tfjs' spelling (what `toTfjs` of the GRU kind describes). */
export interface ResetAfterGruArgs {
  units: number;
  activation?: string;
  recurrentActivation?: string;
  useBias?: boolean;
  kernelInitializer?: InitializerConfig;
  recurrentInitializer?: InitializerConfig;
  biasInitializer?: InitializerConfig;
  dropout?: number;
  recurrentDropout?: number;
  returnSequences?: boolean;
  goBackwards?: boolean;
  name?: string;
  trainable?: boolean;
  batchInputShape?: (number | null)[];
}

const kerasDefaults = {
  kernelInitializer: { className: 'GlorotUniform', config: {} },
  recurrentInitializer: { className: 'Orthogonal', config: { gain: 1 } },
  biasInitializer: { className: 'Zeros', config: {} },
} satisfies Record<string, InitializerConfig>;

/** Builds a registered tfjs initializer from its serialized form. */
function initializer(config: InitializerConfig): Initializer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[config.className];
  if (entry === undefined) throw new Error(`Unknown initializer: ${config.className}`);
  const [cls, fromConfig] = entry;
  return fromConfig(cls, config.config) as Initializer;
}

function serializeInitializer(init: Initializer): InitializerConfig {
  return { className: init.getClassName(), config: init.getConfig() };
}

/** Applies an activation by its Keras/tfjs name through tfjs' own Activation layer, so the math is tfjs'. */
function activationLayer(name: string): tf.layers.Layer {
  return tf.layers.activation({ activation: name as 'tanh' });
}

/** One step of the reset-after GRU; the RNN layer runs it over time. */
export class ResetAfterGRUCell extends tf.layers.Layer {
  static className = `${resetAfterGruClassName}Cell`;
  readonly units: number;
  readonly stateSize: number;
  readonly useBias: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly activationName: string;
  readonly recurrentActivationName: string;
  private readonly activationFn: tf.layers.Layer;
  private readonly recurrentActivationFn: tf.layers.Layer;
  private readonly kernelInitializer: Initializer;
  private readonly recurrentInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  // Set and cleared by the RNN layer around each call, as tfjs' own cells do.
  dropoutMask: tf.Tensor | null = null;
  recurrentDropoutMask: tf.Tensor | null = null;
  private kernel?: tf.LayerVariable;
  private recurrentKernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: ResetAfterGruArgs) {
    super(args);
    this.units = args.units;
    this.stateSize = args.units;
    this.useBias = args.useBias ?? true;
    this.dropout = args.dropout ?? 0;
    this.recurrentDropout = args.recurrentDropout ?? 0;
    this.activationName = args.activation ?? 'tanh';
    this.recurrentActivationName = args.recurrentActivation ?? 'sigmoid';
    this.activationFn = activationLayer(this.activationName);
    this.recurrentActivationFn = activationLayer(this.recurrentActivationName);
    this.kernelInitializer = initializer(args.kernelInitializer ?? kerasDefaults.kernelInitializer);
    this.recurrentInitializer = initializer(args.recurrentInitializer ?? kerasDefaults.recurrentInitializer);
    this.biasInitializer = initializer(args.biasInitializer ?? kerasDefaults.biasInitializer);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const features = shape[shape.length - 1]!;
    this.kernel = this.addWeight('kernel', [features, 3 * this.units], 'float32', this.kernelInitializer);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, 3 * this.units], 'float32', this.recurrentInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [2, 3 * this.units], 'float32', this.biasInitializer);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor[] {
    return tf.tidy(() => {
      let [x, h] = inputs as tf.Tensor[];
      if (x === undefined || h === undefined) throw new Error(`${ResetAfterGRUCell.className} expects [inputs, state].`);
      const training = kwargs['training'] === true;
      if (training && this.dropout > 0 && this.dropoutMask === null) {
        this.dropoutMask = tf.keep(tf.dropout(tf.onesLike(x), this.dropout));
      }
      if (training && this.recurrentDropout > 0 && this.recurrentDropoutMask === null) {
        this.recurrentDropoutMask = tf.keep(tf.dropout(tf.onesLike(h), this.recurrentDropout));
      }
      const hPrevious = h;
      if (this.dropoutMask !== null) x = tf.mul(x, this.dropoutMask);
      if (this.recurrentDropoutMask !== null) h = tf.mul(h, this.recurrentDropoutMask);

      let matrixX = tf.matMul(x, this.kernel!.read());
      let matrixInner = tf.matMul(h, this.recurrentKernel!.read());
      if (this.bias !== undefined) {
        const [inputBias, recurrentBias] = tf.unstack(this.bias.read());
        matrixX = tf.add(matrixX, inputBias!);
        matrixInner = tf.add(matrixInner, recurrentBias!);
      }
      const [xZ, xR, xH] = tf.split(matrixX, 3, -1);
      const [hZ, hR, hH] = tf.split(matrixInner, 3, -1);
      const z = this.recurrentActivationFn.apply(tf.add(xZ!, hZ!)) as tf.Tensor;
      const r = this.recurrentActivationFn.apply(tf.add(xR!, hR!)) as tf.Tensor;
      const candidate = this.activationFn.apply(tf.add(xH!, tf.mul(r, hH!))) as tf.Tensor;
      // Keras keeps the undropped previous state in the final blend.
      const next = tf.add(tf.mul(z, hPrevious), tf.mul(tf.sub(1, z), candidate));
      return [next, next];
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activationName,
      recurrentActivation: this.recurrentActivationName,
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      recurrentInitializer: serializeInitializer(this.recurrentInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      resetAfter: true,
    };
  }
}

/** The recurrent layer: tfjs' RNN loop (masking, go_backwards, return_sequences) around the cell. */
export class ResetAfterGRU extends tf.RNN {
  static override className = resetAfterGruClassName;
  constructor(args: ResetAfterGruArgs) {
    const cell = new ResetAfterGRUCell(args);
    super({ ...args, cell: cell as unknown as tf.RNN['cell'] });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      // Fresh dropout masks for every batch, shared by all its steps (Keras' DropoutRNNCell).
      const cell = this.cell as unknown as ResetAfterGRUCell;
      cell.dropoutMask?.dispose();
      cell.recurrentDropoutMask?.dispose();
      cell.dropoutMask = null;
      cell.recurrentDropoutMask = null;
      const mask = kwargs?.['mask'] ?? null;
      const training = kwargs?.['training'] ?? null;
      const initialState = kwargs?.['initialState'] ?? null;
      return super.call(inputs, { mask, training, initialState });
    });
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }
}

tf.serialization.registerClass(ResetAfterGRUCell);
tf.serialization.registerClass(ResetAfterGRU);
