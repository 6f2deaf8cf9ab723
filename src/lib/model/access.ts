/**
 * The seam between models and fine-tuning methods. A model's forward pass asks a `ParamAccess`
 * for what it needs: `linear(name, x)` for each linear layer and `param(name)` for everything
 * else (embeddings, layer-norm gains). A method answers with frozen tensors, trainable
 * variables, or frozen weights plus an adapter (LoRA), so models never know how they are tuned.
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';

/** What a forward pass can ask of its parameters. */
export interface ParamAccess {
	/**
	 * x [n, in] → [n, out]: act(x·W + b), plus whatever the method adds before the activation.
	 * Asking for the activation here lets backends fuse it into the matrix product.
	 */
	linear(name: string, x: Tensor2D, activation?: 'relu'): Tensor2D;
	/** A non-linear parameter by name (embedding table, norm gain or shift). Not owned by caller. */
	param(name: string): Tensor;
}

/** What a linear layer keeps from a forward pass for its hand-written backward pass. */
export interface LinearCache {
	name: string;
	/** The layer's input [n, in]. */
	x: Tensor2D;
	/** The layer's output [n, out], after the activation. */
	out: Tensor2D;
	relu: boolean;
	/** Intermediates a method needs again (LoRA keeps (α/r)·x·A). */
	saved: Tensor[];
}

/**
 * Parameters with a backward pass written out, for models with a hand-written training step
 * (the MLP, the transformer): a step then needs no gradient tape, which in tfjs clones every
 * saved tensor and adds reshapes and casts, roughly tripling the ops of a step. Linear layers go
 * through `linearForward`/`linearBackward`, which carry whatever a method adds to them (LoRA's
 * adapters); every other parameter through `paramValue`/`paramBackward`.
 */
export interface LayerAccess extends ParamAccess {
	/** Whether the layer holds any trainable parameter (its own or an adapter's). */
	linearTrains(name: string): boolean;
	/** Like `linear`, keeping what the backward pass needs. Call inside `tf.tidy`. */
	linearForward(name: string, x: Tensor2D, activation?: 'relu'): LinearCache;
	/**
	 * Backward through the layer: given ∂L/∂out, set the gradients of its trainable parameters in
	 * `grads` (by variable name) and return ∂L/∂x when `needInput`. Call inside `tf.tidy`.
	 */
	linearBackward(
		cache: LinearCache,
		dOut: Tensor2D,
		needInput: boolean,
		grads: Map<string, Tensor>
	): Tensor2D | undefined;
	/** Whether a non-linear parameter (embedding, norm gain or shift) trains, directly or not. */
	paramTrains(name: string): boolean;
	/**
	 * A non-linear parameter's current value for a tape-free pass; may be a new tensor, so call
	 * inside `tf.tidy`.
	 */
	paramValue(name: string): Tensor;
	/**
	 * Hand in ∂L/∂param of a non-linear parameter (same shape as the parameter); the method sets
	 * whatever trainable gradient it implies in `grads`. Call inside `tf.tidy`.
	 */
	paramBackward(name: string, grad: Tensor, grads: Map<string, Tensor>): void;
}
