/**
 * Keras 3's `hard_sigmoid` as a TensorFlow.js activation. Keras 3 computes `relu6(x + 3) / 6`, i.e.
 * `clip(x / 6 + 0.5, 0, 1)`; tfjs-layers' `hardSigmoid` is Keras 2's `clip(0.2x + 0.5, 0, 1)`, so the
 * app names this one `hard_sigmoid_k3` (tfjs class `hardSigmoidK3`) and a Keras 3 file's `hard_sigmoid`
 * is read as it. The fused kernels do not compute it: a recurrent layer using it runs on tfjs-layers.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * tfjs-layers looks an activation name up in the serialization registry and calls `apply`, as it does
 * for its own Activation classes (whose base class it does not export).
 */
export class HardSigmoidK3 extends tf.serialization.Serializable {
  static className = 'hardSigmoidK3';

  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.div(tf.relu6(tf.add(x, 3)), 6));
  }

  getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}
tf.serialization.registerClass(HardSigmoidK3);
