/** Losses and scores over logits [n, classes] and integer labels [n]. */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Mean softmax cross-entropy in nats; a scalar the caller owns. tfjs's own op carries a custom
 * gradient (softmax − one-hot), far fewer backward ops than differentiating log-softmax.
 */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
	return tf.tidy(
		() => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, logits.shape[1]), logits) as tf.Scalar
	);
}

/** Number of rows whose argmax equals the label; a scalar the caller owns. */
export function correctCount(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
	return tf.tidy(
		() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32')) as tf.Scalar
	);
}
