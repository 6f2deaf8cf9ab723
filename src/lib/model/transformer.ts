/**
 * A small decoder-only transformer for the character-level tasks: token and learned position
 * embeddings, `layers` pre-norm blocks of causal multi-head self-attention (separate W_q, W_k,
 * W_v, W_o) and a GELU MLP, a final layer norm and an untied output head.
 *
 * Names: `tok` [vocab, d], `pos` [context, d]; per block i: `h{i}.ln1.g|s`, linears
 * `h{i}.q|k|v|o` [d, d], `h{i}.ln2.g|s`, `h{i}.up` [d, 4d], `h{i}.down` [4d, d]; then
 * `lnf.g|s` and the head `out` [d, vocab].
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ParamAccess } from './access';
import type { ModelDef } from './model';
import { linearParams, type LinearSpec, type ParamSpec } from './params';

/** Shape of a transformer. */
export interface TransformerConfig {
	vocab: number;
	/** Longest sequence (number of positions). */
	context: number;
	/** Model width d. */
	dModel: number;
	heads: number;
	layers: number;
}

function layerNorm(p: ParamAccess, name: string, x: tf.Tensor2D): tf.Tensor2D {
	const { mean, variance } = tf.moments(x, -1, true);
	const normed = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
	return tf.add(tf.mul(normed, p.param(`${name}.g`)), p.param(`${name}.s`)) as tf.Tensor2D;
}

function normParams(name: string, d: number): ParamSpec[] {
	return [
		{ name: `${name}.g`, shape: [d], kind: 'gain', init: { constant: 1 } },
		{ name: `${name}.s`, shape: [d], kind: 'shift', init: { constant: 0 } }
	];
}

/**
 * A decoder-only transformer. `forward` takes token ids x: int32 [batch, t] (t ≤ context) and
 * returns next-token logits [batch·t, vocab], row b·t + i predicting the token after x[b, i].
 */
export function transformer(cfg: TransformerConfig): ModelDef {
	const { vocab, context, dModel: d, heads, layers } = cfg;
	for (const [k, v] of Object.entries(cfg)) {
		if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} must be a positive integer`);
	}
	if (d % heads !== 0) throw new RangeError(`dModel ${d} is not divisible by heads ${heads}`);
	const dh = d / heads;
	const std = 0.02;
	const linears: LinearSpec[] = [];
	const params: ParamSpec[] = [
		{ name: 'tok', shape: [vocab, d], kind: 'embedding', init: { std } },
		{ name: 'pos', shape: [context, d], kind: 'embedding', init: { std } }
	];
	for (let i = 0; i < layers; i++) {
		const block: LinearSpec[] = [
			{ name: `h${i}.q`, inDim: d, outDim: d, bias: true },
			{ name: `h${i}.k`, inDim: d, outDim: d, bias: true },
			{ name: `h${i}.v`, inDim: d, outDim: d, bias: true },
			{ name: `h${i}.o`, inDim: d, outDim: d, bias: true },
			{ name: `h${i}.up`, inDim: d, outDim: 4 * d, bias: true },
			{ name: `h${i}.down`, inDim: 4 * d, outDim: d, bias: true }
		];
		params.push(...normParams(`h${i}.ln1`, d), ...normParams(`h${i}.ln2`, d));
		for (const l of block) params.push(...linearParams(l, std));
		linears.push(...block);
	}
	const out: LinearSpec = { name: 'out', inDim: d, outDim: vocab, bias: true };
	params.push(...normParams('lnf', d), ...linearParams(out, std));
	linears.push(out);

	return {
		id: `gpt-v${vocab}-c${context}-d${d}-h${heads}-l${layers}`,
		kind: 'transformer',
		params,
		linears,
		head: ['out'],
		classes: vocab,
		inputDtype: 'int32',
		forward(p, x) {
			const [b, t] = x.shape as [number, number];
			if (t > context) throw new RangeError(`sequence of ${t} exceeds context ${context}`);
			// Embedding lookups as one-hot products: gather's gradient needs UnsortedSegmentSum,
			// which the wasm backend lacks, and with a vocabulary this small the product is cheap.
			const oneHot = tf.oneHot(tf.reshape(x, [b * t]) as tf.Tensor1D, vocab);
			const tok = tf.matMul(oneHot, p.param('tok') as tf.Tensor2D);
			const pos = tf.slice(p.param('pos'), [0, 0], [t, d]);
			let h = tf.reshape(tf.add(tf.reshape(tok, [b, t, d]), pos), [b * t, d]) as tf.Tensor2D;
			// Causal mask: 0 on and below the diagonal, a large negative number above it.
			const mask = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([t, t]), -1, 0)), -1e9);
			const split = (z: tf.Tensor2D) =>
				tf.transpose(tf.reshape(z, [b, t, heads, dh]), [0, 2, 1, 3]);
			for (let i = 0; i < layers; i++) {
				const a = layerNorm(p, `h${i}.ln1`, h);
				const q = split(p.linear(`h${i}.q`, a));
				const k = split(p.linear(`h${i}.k`, a));
				const v = split(p.linear(`h${i}.v`, a));
				const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), mask);
				const ctx = tf.matMul(tf.softmax(scores), v); // [b, heads, t, dh]
				const merged = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [b * t, d]) as tf.Tensor2D;
				h = tf.add(h, p.linear(`h${i}.o`, merged)) as tf.Tensor2D;
				const m = layerNorm(p, `h${i}.ln2`, h);
				const up = p.linear(`h${i}.up`, m);
				h = tf.add(h, p.linear(`h${i}.down`, gelu(up))) as tf.Tensor2D;
			}
			return p.linear('out', layerNorm(p, 'lnf', h));
		}
	};
}

/** GELU, tanh approximation (as in GPT-2). */
function gelu(x: tf.Tensor2D): tf.Tensor2D {
	const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
	return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner))) as tf.Tensor2D;
}
