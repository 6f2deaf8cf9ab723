/**
 * The transformer's hand-written training step, as functions that run one fused kernel where the
 * backend has it and tfjs's ops where it does not: embedding lookup and scatter-add, layer norm
 * forward and backward, causal multi-head attention forward and backward, GELU and its
 * derivative. The op chains are the definitions (and what a backend without our kernels runs);
 * the kernels compute the same in one pass each (`./transformerArrays.ts` for the loops,
 * `./transformerHost.ts` for cpu and WebAssembly). None of these has a gradient: they serve the
 * tape-free path (`ModelDef.gradients`), never the tape.
 *
 * Shapes: N = b·t rows of width d; `heads` heads of dh = d/heads columns side by side.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hasKernel } from './register';
import { GELU_A, GELU_C, LAYERNORM_EPS } from './transformerArrays';

export const EMBED_KERNEL = 'WhyPeftEmbed';
export const EMBED_GRAD_KERNEL = 'WhyPeftEmbedGrad';
export const LAYERNORM_KERNEL = 'WhyPeftLayerNorm';
export const LAYERNORM_GRAD_KERNEL = 'WhyPeftLayerNormGrad';
export const ATTENTION_KERNEL = 'WhyPeftCausalAttention';
export const ATTENTION_GRAD_KERNEL = 'WhyPeftCausalAttentionGrad';
export const GELU_KERNEL = 'WhyPeftGelu';
export const GELU_GRAD_KERNEL = 'WhyPeftGeluGrad';

/** Every kernel name above, for checks that run each kernel against its op chain. */
export const TRANSFORMER_KERNELS = [
	EMBED_KERNEL,
	EMBED_GRAD_KERNEL,
	LAYERNORM_KERNEL,
	LAYERNORM_GRAD_KERNEL,
	ATTENTION_KERNEL,
	ATTENTION_GRAD_KERNEL,
	GELU_KERNEL,
	GELU_GRAD_KERNEL
] as const;

export { LAYERNORM_EPS } from './transformerArrays';

/** Attributes of the embedding kernels: t, the sequence length (row r is position r mod t). */
export interface EmbedAttrs {
	t: number;
}
/** Attributes of `EMBED_GRAD_KERNEL`: also the vocabulary size V. */
export interface EmbedGradAttrs extends EmbedAttrs {
	vocab: number;
}
/** Attributes of the layer-norm kernels. */
export interface LayerNormAttrs {
	eps: number;
}
/** Attributes of the attention kernels: b sequences of t positions, `heads` heads. */
export interface AttentionAttrs {
	b: number;
	t: number;
	heads: number;
}

function run<T>(kernel: string, inputs: tf.NamedTensorMap, attrs: object): T {
	return tf.engine().runKernel(kernel, inputs, attrs as never) as unknown as T;
}

/**
 * Token plus position embedding: row r of the result is tok[ids[r]] + pos[r mod t].
 * @param ids int32 [N] @param tok [V, d] @param pos [context ≥ t, d] @returns [N, d]
 */
export function embed(
	ids: tf.Tensor1D,
	tok: tf.Tensor2D,
	pos: tf.Tensor2D,
	t: number
): tf.Tensor2D {
	if (hasKernel(EMBED_KERNEL))
		return run(EMBED_KERNEL, { ids, tok, pos }, { t } satisfies EmbedAttrs);
	const d = tok.shape[1];
	const b = ids.shape[0] / t;
	return tf.tidy(() => {
		const rows = tf.reshape(tf.gather(tok, ids), [b, t, d]);
		return tf.reshape(tf.add(rows, tf.slice(pos, [0, 0], [t, d])), [b * t, d]) as tf.Tensor2D;
	});
}

/**
 * The embedding's gradients from ∂L/∂h [N, d]: dTok [V, d], the rows of dH added up by token id
 * (a scatter-add; as a one-hot product where no kernel does it, since tfjs's WebAssembly backend
 * has no UnsortedSegmentSum), and dPos [t, d], summed over the sequences.
 */
export function embedGrad(
	ids: tf.Tensor1D,
	dH: tf.Tensor2D,
	vocab: number,
	t: number
): { dTok: tf.Tensor2D; dPos: tf.Tensor2D } {
	if (hasKernel(EMBED_GRAD_KERNEL)) {
		const [dTok, dPos] = run<tf.Tensor2D[]>(EMBED_GRAD_KERNEL, { ids, dH }, {
			t,
			vocab
		} satisfies EmbedGradAttrs);
		return { dTok, dPos };
	}
	const d = dH.shape[1];
	const b = ids.shape[0] / t;
	return tf.tidy(() => ({
		// Cast rather than ask OneHot for float32: tfjs's WebAssembly kernel writes integer bits.
		dTok: tf.matMul(tf.cast(tf.oneHot(ids, vocab), 'float32'), dH, true, false) as tf.Tensor2D,
		dPos: tf.sum(tf.reshape(dH, [b, t, d]), 0) as tf.Tensor2D
	}));
}

/**
 * Layer norm of each row: y = x̂·g + s with x̂ = (x − mean)/√(var + ε), biased variance.
 * Returns x̂ [N, d] and rstd = 1/√(var + ε) [N] for the backward pass.
 */
export function layerNorm(
	x: tf.Tensor2D,
	g: tf.Tensor1D,
	s: tf.Tensor1D,
	eps = LAYERNORM_EPS
): { y: tf.Tensor2D; xhat: tf.Tensor2D; rstd: tf.Tensor1D } {
	if (hasKernel(LAYERNORM_KERNEL)) {
		const [y, xhat, rstd] = run<tf.Tensor[]>(LAYERNORM_KERNEL, { x, g, s }, {
			eps
		} satisfies LayerNormAttrs);
		return { y: y as tf.Tensor2D, xhat: xhat as tf.Tensor2D, rstd: rstd as tf.Tensor1D };
	}
	return tf.tidy(() => {
		const { mean, variance } = tf.moments(x, -1, true);
		const inv = tf.rsqrt(tf.add(variance, eps));
		const xhat = tf.mul(tf.sub(x, mean), inv) as tf.Tensor2D;
		return {
			y: tf.add(tf.mul(xhat, g), s) as tf.Tensor2D,
			xhat,
			rstd: tf.reshape(inv, [-1]) as tf.Tensor1D
		};
	});
}

/**
 * Layer norm's backward pass from ∂L/∂y [N, d]: dx [N, d], and the gain's and shift's gradients
 * dg and ds [d].
 */
export function layerNormGrad(
	dy: tf.Tensor2D,
	xhat: tf.Tensor2D,
	rstd: tf.Tensor1D,
	g: tf.Tensor1D
): { dx: tf.Tensor2D; dg: tf.Tensor1D; ds: tf.Tensor1D } {
	if (hasKernel(LAYERNORM_GRAD_KERNEL)) {
		const [dx, dg, ds] = run<tf.Tensor[]>(LAYERNORM_GRAD_KERNEL, { dy, xhat, rstd, g }, {});
		return { dx: dx as tf.Tensor2D, dg: dg as tf.Tensor1D, ds: ds as tf.Tensor1D };
	}
	return tf.tidy(() => {
		const gy = tf.mul(dy, g);
		const m1 = tf.mean(gy, -1, true);
		const m2 = tf.mean(tf.mul(gy, xhat), -1, true);
		const dx = tf.mul(tf.sub(tf.sub(gy, m1), tf.mul(xhat, m2)), tf.reshape(rstd, [-1, 1]));
		return {
			dx: dx as tf.Tensor2D,
			dg: tf.sum(tf.mul(dy, xhat), 0) as tf.Tensor1D,
			ds: tf.sum(dy, 0) as tf.Tensor1D
		};
	});
}

/** [b·t, heads·dh] → [b, heads, t, dh]. */
function splitHeads(z: tf.Tensor2D, { b, t, heads }: AttentionAttrs): tf.Tensor4D {
	const dh = z.shape[1] / heads;
	return tf.transpose(tf.reshape(z, [b, t, heads, dh]), [0, 2, 1, 3]);
}

/** [b, heads, t, dh] → [b·t, heads·dh]. */
function mergeHeads(z: tf.Tensor, { b, t, heads }: AttentionAttrs): tf.Tensor2D {
	const dh = z.shape[3]!;
	return tf.reshape(tf.transpose(z, [0, 2, 1, 3]), [b * t, heads * dh]);
}

/**
 * Causal multi-head self-attention from the projected q, k, v [b·t, d]: ctx [b·t, d] (heads
 * side by side, as W_o takes them) and the attention weights probs [b, heads, t, t] (zero above
 * the diagonal), which the backward pass needs.
 */
export function causalAttention(
	q: tf.Tensor2D,
	k: tf.Tensor2D,
	v: tf.Tensor2D,
	attrs: AttentionAttrs
): { ctx: tf.Tensor2D; probs: tf.Tensor4D } {
	if (hasKernel(ATTENTION_KERNEL)) {
		const [ctx, probs] = run<tf.Tensor[]>(ATTENTION_KERNEL, { q, k, v }, attrs);
		return { ctx: ctx as tf.Tensor2D, probs: probs as tf.Tensor4D };
	}
	return tf.tidy(() => {
		const { t } = attrs;
		const dh = q.shape[1] / attrs.heads;
		const mask = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([t, t]), -1, 0)), -1e9);
		const scores = tf.add(
			tf.mul(tf.matMul(splitHeads(q, attrs), splitHeads(k, attrs), false, true), 1 / Math.sqrt(dh)),
			mask
		);
		const probs = tf.softmax(scores) as tf.Tensor4D;
		return { ctx: mergeHeads(tf.matMul(probs, splitHeads(v, attrs)), attrs), probs };
	});
}

/** Attention's backward pass from ∂L/∂ctx [b·t, d]: dq, dk, dv [b·t, d]. */
export function causalAttentionGrad(
	dCtx: tf.Tensor2D,
	q: tf.Tensor2D,
	k: tf.Tensor2D,
	v: tf.Tensor2D,
	probs: tf.Tensor4D,
	attrs: AttentionAttrs
): { dq: tf.Tensor2D; dk: tf.Tensor2D; dv: tf.Tensor2D } {
	if (hasKernel(ATTENTION_GRAD_KERNEL)) {
		const [dq, dk, dv] = run<tf.Tensor2D[]>(ATTENTION_GRAD_KERNEL, { dCtx, q, k, v, probs }, attrs);
		return { dq, dk, dv };
	}
	return tf.tidy(() => {
		const dh = q.shape[1] / attrs.heads;
		const dC = splitHeads(dCtx, attrs);
		const dv = tf.matMul(probs, dC, true, false);
		const dp = tf.matMul(dC, splitHeads(v, attrs), false, true);
		const ds = tf.mul(
			tf.mul(probs, tf.sub(dp, tf.sum(tf.mul(probs, dp), -1, true))),
			1 / Math.sqrt(dh)
		);
		return {
			dq: mergeHeads(tf.matMul(ds, splitHeads(k, attrs)), attrs),
			dk: mergeHeads(tf.matMul(ds, splitHeads(q, attrs), true, false), attrs),
			dv: mergeHeads(dv, attrs)
		};
	});
}

/** GELU, tanh approximation (GPT-2), as tfjs ops: differentiable, so the tape's forward uses it. */
export function geluOps(x: tf.Tensor2D): tf.Tensor2D {
	return tf.tidy(() => {
		const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), GELU_A)), GELU_C);
		return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner))) as tf.Tensor2D;
	});
}

/** GELU, tanh approximation (GPT-2), element by element. */
export function gelu(x: tf.Tensor2D): tf.Tensor2D {
	if (hasKernel(GELU_KERNEL)) return run(GELU_KERNEL, { x }, {});
	return geluOps(x);
}

/**
 * GELU and, on WebAssembly, its derivative GELU′(x) from the same e^x, for a backward pass to
 * keep instead of x: dy·GELU′(x) is then one product per element (`geluGrad` with `d`), the same
 * floats as the gradient kernel gives from x. Elsewhere `d` is absent and the backward pass
 * recomputes it from x.
 */
export function geluWithGrad(x: tf.Tensor2D): { y: tf.Tensor2D; d?: tf.Tensor2D } {
	if (tf.getBackend() === 'wasm' && hasKernel(GELU_KERNEL)) {
		const [y, d] = run<[tf.Tensor2D, tf.Tensor2D]>(GELU_KERNEL, { x }, { withGrad: true });
		return { y, d };
	}
	return { y: gelu(x) };
}

/** ∂L/∂x = dy·GELU′(x), element by element: from x, or from `d` = GELU′(x) where it was kept. */
export function geluGrad(
	dy: tf.Tensor2D,
	x: tf.Tensor2D | undefined,
	d?: tf.Tensor2D
): tf.Tensor2D {
	if (d) {
		if (hasKernel(GELU_GRAD_KERNEL)) return run(GELU_GRAD_KERNEL, { dy, d }, {});
		return tf.mul(dy, d);
	}
	if (!x) throw new Error('geluGrad needs x or GELU′(x)');
	if (hasKernel(GELU_GRAD_KERNEL)) return run(GELU_GRAD_KERNEL, { dy, x }, {});
	return tf.tidy(() => {
		const th = tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), GELU_A)), GELU_C));
		const du = tf.mul(tf.add(1, tf.mul(tf.square(x), 3 * GELU_A)), GELU_C);
		const d = tf.add(
			tf.mul(tf.add(1, th), 0.5),
			tf.mul(tf.mul(tf.mul(x, 0.5), tf.sub(1, tf.square(th))), du)
		);
		return tf.mul(dy, d) as tf.Tensor2D;
	});
}
