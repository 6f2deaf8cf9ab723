/**
 * Bounds on the transient peak of one step of the course's trainer (`Trainer.measureStep`: the
 * most bytes alive at once during the step beyond those alive before it, as tfjs's engine counts
 * them), from the model's activations. The measured peak is checked against them; the memory
 * model's `predictedLedger().transient` answers a different question (what an efficient trainer
 * must keep) and is not a bound on this one.
 *
 * Both bounds follow from how the step runs. The forward and the hand-written backward pass run
 * inside one `tf.tidy`, which frees nothing until it returns; then Adam updates one variable at a
 * time, each making a new value and two new moments before the old ones are freed. So:
 *
 *   lower = A + G
 *     after the backward pass's last kernel, every tensor the forward pass made (A) and every
 *     gradient of a trainable parameter (G) is alive at once;
 *   upper = 3·A + G + 3·V + 2·W + 8·M
 *     besides the forward pass's tensors (A), the backward pass holds at most two of each one's
 *     size: its gradient and one temporary on the way (the gradient before an elementwise
 *     derivative, a transposed copy, or a reshaped view, which tfjs counts again as a tensor),
 *     2·A; the gradients, G; Adam's three new tensors of the largest variable, 3·V; a matrix
 *     product's reshaped view of its weight matrix (tfjs's WebAssembly backend reshapes both
 *     operands to three dimensions) or transposed copy of it (x·Wᵀ in the backward pass), at
 *     most 2·W for the largest weight matrix; and a method that materialises every parameter
 *     each step (the subspace's θ = θ₀ + P·z) holds at most four tensors of all the parameters'
 *     size in each direction, each possibly with a reshaped view, 8·M.
 *
 * A counts the batch (inputs, one index per row and one-hot targets) and each operation's output
 * for every row; all sizes are fp32 (4 bytes). The bounds are for the hand-written backward pass,
 * the trainer's default for both models; tfjs's gradient tape (`handGradients: false`) keeps
 * every primitive operation's output and a clone of each input it saves, and may exceed them.
 * Pure arithmetic.
 */

/** What bounds a step's transient peak, in bytes. */
export interface StepTensors {
	/** Every tensor the forward pass makes for the batch, inputs and targets included (A). */
	activations: number;
	/** The trainable parameters' gradients, 4 B per trainable value (G). */
	gradients: number;
	/** The largest trainable variable (V). */
	largestVariable: number;
	/** The model's largest weight matrix, frozen or not (W). */
	largestWeight: number;
	/** Parameters the method materialises in full every step: 4 B × all of them for the subspace, else 0 (M). */
	materialized?: number;
}

/** Lower and upper bound on a step's transient peak in bytes (see the module comment). */
export function stepPeakBounds(t: StepTensors): { lower: number; upper: number } {
	const m = t.materialized ?? 0;
	for (const [k, v] of Object.entries({ ...t, materialized: m })) {
		if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`${k} must be a byte count ≥ 0`);
	}
	return {
		lower: t.activations + t.gradients,
		upper: 3 * t.activations + t.gradients + 3 * t.largestVariable + 2 * t.largestWeight + 8 * m
	};
}

/** LoRA's adapters as far as activations go: rank r and the output width of each adapted layer. */
export interface AdaptedLayers {
	rank: number;
	outDims: readonly number[];
}

/**
 * Per row, an adapted layer computes x·A and its scaled copy (r values each), (x·A)·B and the sum
 * with x·W₀ + b (out values each) on top of the plain layer's output.
 */
function adapterWidth(lora?: AdaptedLayers): number {
	if (!lora) return 0;
	return lora.outDims.reduce((n, out) => n + 2 * out + 2 * lora.rank, 0);
}

/**
 * A (bytes) of one step of an MLP over `sizes` (input width first, classes last) on `batch` rows:
 * per row the input, a row index, the one-hot target and every layer's output, plus LoRA's
 * adapter tensors when given.
 */
export function mlpActivationBytes(
	sizes: readonly number[],
	batch: number,
	lora?: AdaptedLayers
): number {
	const classes = sizes[sizes.length - 1];
	const perRow = 1 + classes + sizes.reduce((n, s) => n + s, 0) + adapterWidth(lora);
	return 4 * batch * perRow;
}

/** The shape of the course's small transformer (as in `SmallTransformerConfig`). */
export interface TransformerShape {
	vocab: number;
	dModel: number;
	heads: number;
	layers: number;
}

/**
 * A (bytes) of one step of the pre-norm transformer on `batch` sequences of `seq` tokens. Per
 * token: its id and one-hot target (1 + vocab), the embedding (d); per block the first norm (d),
 * q, k and v (3d), the attention probabilities (heads × seq), the attention output and its
 * projection (2d), the residual sum (d), the second norm (d), the MLP's up projection and GELU
 * (4d each), the down projection and the residual sum (2d), 18d + heads·seq in all; then the final
 * norm (d) and the logits (vocab); plus LoRA's adapter tensors when given.
 */
export function transformerActivationBytes(
	cfg: TransformerShape,
	batch: number,
	seq: number,
	lora?: AdaptedLayers
): number {
	const { vocab, dModel: d, heads, layers } = cfg;
	const perToken = 1 + vocab + d + layers * (18 * d + heads * seq) + d + vocab + adapterWidth(lora);
	return 4 * batch * seq * perToken;
}
