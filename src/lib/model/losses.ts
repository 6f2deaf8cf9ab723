/** Losses and scores over logits [n, classes] and integer labels [n]. */
import * as tf from '@tensorflow/tfjs-core';
import { softmaxXent } from './kernels/linalg';

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

/**
 * Mean softmax cross-entropy against one-hot `targets` and its gradient with respect to the
 * logits, (softmax − targets)/n, for a hand-written backward pass. `invBatch` is the scalar 1/n.
 * Where the backend has no fused kernel the loss is read off the softmax, −mean log p(target);
 * should p(target) underflow to 0 (a loss beyond 87 nats) it is infinite, which the trainer
 * reports as divergence.
 */
export function crossEntropyWithGrad(
	logits: tf.Tensor2D,
	targets: tf.Tensor2D,
	invBatch: tf.Scalar
): { loss: tf.Scalar; dLogits: tf.Tensor2D } {
	const { rowLoss, dLogits } = softmaxXent(logits, targets, invBatch);
	return { loss: tf.mean(rowLoss), dLogits };
}
