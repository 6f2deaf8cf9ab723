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
