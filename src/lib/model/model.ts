/**
 * What every model in the course is to the trainer: parameter specs, its linear layers (the
 * matrices a method may adapt), which layers form the head, and a forward pass written against
 * `ParamAccess`. Inputs and outputs are tensors; the model holds none of its own.
 */
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import type { LayerAccess, ParamAccess } from './access';
import type { LinearSpec, ParamSpec } from './params';
import type { TransformerConfig } from './transformer';

/** A model definition: pure structure plus a forward function. */
export interface ModelDef {
	/** Short id, e.g. `mlp-64-128-128-10`. */
	id: string;
	kind: 'mlp' | 'transformer';
	params: ParamSpec[];
	linears: LinearSpec[];
	/** Names of the linear layers that make the output head (trained by head-only tuning). */
	head: string[];
	/** Number of output classes (vocabulary size for the transformer). */
	classes: number;
	/** Input dtype: float features for the MLP, int32 token ids for the transformer. */
	inputDtype: 'float32' | 'int32';
	/** The transformer's shape (absent for the MLP): what a text sampler needs beside the weights. */
	transformer?: TransformerConfig;
	/** Logits [n, classes] from a batch. Call inside `tf.tidy`: intermediates are left to it. */
	forward(p: ParamAccess, x: Tensor): Tensor2D;
	/**
	 * Optional: the same logits through fused kernels that have no gradient (evaluation and
	 * sampling, never under a gradient tape). Must agree with `forward`. Call inside `tf.tidy`.
	 */
	infer?(p: ParamAccess, x: Tensor): Tensor2D;
	/**
	 * Optional: mean cross-entropy against one-hot `targets` [n, classes] and the gradient of
	 * every trainable variable (by name), by a hand-written backward pass instead of tfjs's tape.
	 * `invBatch` is the scalar 1/n. Call inside `tf.tidy`. Must agree with `forward` + autodiff.
	 */
	gradients?(
		p: LayerAccess,
		x: Tensor,
		targets: Tensor2D,
		invBatch: Scalar
	): { loss: Scalar; grads: Map<string, Tensor> };
}
