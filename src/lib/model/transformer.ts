/**
 * A small decoder-only transformer for the character-level tasks: token and learned position
 * embeddings, `layers` pre-norm blocks of causal multi-head self-attention (separate W_q, W_k,
 * W_v, W_o) and a GELU MLP, a final layer norm and an untied output head.
 *
 * Names: `tok` [vocab, d], `pos` [context, d]; per block i: `h{i}.ln1.g|s`, linears
 * `h{i}.q|k|v|o` [d, d], `h{i}.ln2.g|s`, `h{i}.up` [d, 4d], `h{i}.down` [4d, d]; then
 * `lnf.g|s` and the head `out` [d, vocab].
 *
 * Two ways to train it: `forward` through tfjs's ops and gradient tape (the reference, and what
 * evaluation runs), and `gradients`, a hand-written backward pass over fused kernels
 * (`./kernels/transformerOps.ts`): one kernel each for the embedding, a layer norm, the causal
 * attention of all heads, GELU and their backward passes, where the tape runs about a thousand
 * kernels a step for the course's small model.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayerAccess, LinearCache, ParamAccess } from './access';
import type { ModelDef } from './model';
import { crossEntropyWithGrad } from './losses';
import { sum } from './kernels/linalg';
import { linearParams, type LinearSpec, type ParamSpec } from './params';
import {
	causalAttention,
	causalAttentionGrad,
	embed,
	embedGrad,
	gelu as geluFused,
	geluGrad,
	geluOps,
	geluWithGrad,
	layerNorm as layerNormFused,
	layerNormGrad,
	type AttentionAttrs
} from './kernels/transformerOps';

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
		transformer: { vocab, context, dModel: d, heads, layers },
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
				h = tf.add(h, p.linear(`h${i}.down`, geluOps(up))) as tf.Tensor2D;
			}
			return p.linear('out', layerNorm(p, 'lnf', h));
		},
		infer(p, x) {
			const [b, t] = x.shape as [number, number];
			if (t > context) throw new RangeError(`sequence of ${t} exceeds context ${context}`);
			const attrs: AttentionAttrs = { b, t, heads };
			const ln = (name: string, h: tf.Tensor2D) =>
				layerNormFused(h, p.param(`${name}.g`) as tf.Tensor1D, p.param(`${name}.s`) as tf.Tensor1D)
					.y;
			const ids = tf.reshape(x, [b * t]) as tf.Tensor1D;
			let h = embed(ids, p.param('tok') as tf.Tensor2D, p.param('pos') as tf.Tensor2D, t);
			for (let i = 0; i < layers; i++) {
				const a = ln(`h${i}.ln1`, h);
				const q = p.linear(`h${i}.q`, a);
				const k = p.linear(`h${i}.k`, a);
				const v = p.linear(`h${i}.v`, a);
				const { ctx } = causalAttention(q, k, v, attrs);
				h = tf.add(h, p.linear(`h${i}.o`, ctx)) as tf.Tensor2D;
				const up = p.linear(`h${i}.up`, ln(`h${i}.ln2`, h));
				h = tf.add(h, p.linear(`h${i}.down`, geluFused(up))) as tf.Tensor2D;
			}
			return p.linear('out', ln('lnf', h));
		},
		gradients(p, x, targets, invBatch) {
			return transformerGradients(p, cfg, x, targets, invBatch);
		}
	};
}

/** What one block's forward pass keeps for its backward pass. */
interface BlockCache {
	ln1: ReturnType<typeof layerNormFused>;
	q: LinearCache;
	k: LinearCache;
	v: LinearCache;
	probs: tf.Tensor4D;
	o: LinearCache;
	ln2: ReturnType<typeof layerNormFused>;
	up: LinearCache;
	/** GELU′ of up's output, where the backend gives it with GELU (up's output is then freed). */
	geluD?: tf.Tensor2D;
	down: LinearCache;
}

/**
 * Loss and gradients of the transformer by a hand-written backward pass, for any method behind
 * `p`. The backward pass goes only as deep as the lowest parameter that trains: the head alone
 * for head-only tuning, the lowest adapted block for LoRA.
 */
function transformerGradients(
	p: LayerAccess,
	cfg: TransformerConfig,
	x: tf.Tensor,
	targets: tf.Tensor2D,
	invBatch: tf.Scalar
): { loss: tf.Scalar; grads: Map<string, tf.Tensor> } {
	const { vocab, context, heads, layers } = cfg;
	const [b, t] = x.shape as [number, number];
	if (t > context) throw new RangeError(`sequence of ${t} exceeds context ${context}`);
	const attrs: AttentionAttrs = { b, t, heads };
	const norm = (name: string) => [`${name}.g`, `${name}.s`];
	const ln = (name: string, h: tf.Tensor2D) =>
		layerNormFused(
			h,
			p.paramValue(`${name}.g`) as tf.Tensor1D,
			p.paramValue(`${name}.s`) as tf.Tensor1D
		);

	// Forward, keeping what the backward pass needs.
	const ids = tf.reshape(x, [b * t]) as tf.Tensor1D;
	let h = embed(ids, p.paramValue('tok') as tf.Tensor2D, p.paramValue('pos') as tf.Tensor2D, t);
	const blocks: BlockCache[] = [];
	for (let i = 0; i < layers; i++) {
		const ln1 = ln(`h${i}.ln1`, h);
		const q = p.linearForward(`h${i}.q`, ln1.y);
		const k = p.linearForward(`h${i}.k`, ln1.y);
		const v = p.linearForward(`h${i}.v`, ln1.y);
		const att = causalAttention(q.out, k.out, v.out, attrs);
		const o = p.linearForward(`h${i}.o`, att.ctx);
		const h1 = sum(h, o.out);
		const ln2 = ln(`h${i}.ln2`, h1);
		const up = p.linearForward(`h${i}.up`, ln2.y);
		const act = geluWithGrad(up.out);
		// The backward pass needs up's output only for GELU′, so where GELU′ came with GELU the
		// output goes now: the step keeps as many floats as before.
		if (act.d) up.out.dispose();
		const down = p.linearForward(`h${i}.down`, act.y);
		h = sum(h1, down.out);
		blocks.push({ ln1, q, k, v, probs: att.probs, o, ln2, up, geluD: act.d, down });
	}
	const lnf = ln('lnf', h);
	const head = p.linearForward('out', lnf.y);
	const { loss, dLogits } = crossEntropyWithGrad(head.out, targets, invBatch);
	const grads = new Map<string, tf.Tensor>();

	// How deep to go: to the embeddings (-1), the lowest block holding anything that trains, or
	// no block at all (`layers`).
	const embTrains = p.paramTrains('tok') || p.paramTrains('pos');
	const attnTrains = (i: number) =>
		norm(`h${i}.ln1`).some((n) => p.paramTrains(n)) ||
		['q', 'k', 'v', 'o'].some((n) => p.linearTrains(`h${i}.${n}`));
	const mlpTrains = (i: number) =>
		norm(`h${i}.ln2`).some((n) => p.paramTrains(n)) ||
		['up', 'down'].some((n) => p.linearTrains(`h${i}.${n}`));
	let lowest = embTrains ? -1 : layers;
	for (let i = 0; i < layers && lowest === layers; i++) {
		if (attnTrains(i) || mlpTrains(i)) lowest = i;
	}
	const lnfTrains = norm('lnf').some((n) => p.paramTrains(n));

	const dNorm = p.linearBackward(head, dLogits, lnfTrains || lowest < layers, grads);
	if (!dNorm) return { loss, grads };
	const setNormGrads = (name: string, dg: tf.Tensor, ds: tf.Tensor) => {
		p.paramBackward(`${name}.g`, dg, grads);
		p.paramBackward(`${name}.s`, ds, grads);
	};
	const gradOfNorm = (name: string, dy: tf.Tensor2D, c: ReturnType<typeof layerNormFused>) => {
		const r = layerNormGrad(dy, c.xhat, c.rstd, p.paramValue(`${name}.g`) as tf.Tensor1D);
		setNormGrads(name, r.dg, r.ds);
		return r.dx;
	};
	let dh: tf.Tensor2D | undefined = gradOfNorm('lnf', dNorm, lnf);

	for (let i = layers - 1; i >= Math.max(lowest, 0) && dh; i--) {
		const c = blocks[i];
		const below = i > lowest;
		// h = h1 + down(gelu(up(ln2(h1)))).
		const dGelu = p.linearBackward(c.down, dh, true, grads)!;
		const dUp = p.linearBackward(
			c.up,
			geluGrad(dGelu, c.geluD ? undefined : c.up.out, c.geluD),
			true,
			grads
		)!;
		const dh1 = sum(dh, gradOfNorm(`h${i}.ln2`, dUp, c.ln2));
		if (!below && !attnTrains(i)) break;
		// h1 = h + o(attention(q, k, v of ln1(h))).
		const dCtx = p.linearBackward(c.o, dh1, true, grads)!;
		const { dq, dk, dv } = causalAttentionGrad(dCtx, c.q.out, c.k.out, c.v.out, c.probs, attrs);
		const needLn1 = below || norm(`h${i}.ln1`).some((n) => p.paramTrains(n));
		const dA = [
			p.linearBackward(c.q, dq, needLn1, grads),
			p.linearBackward(c.k, dk, needLn1, grads),
			p.linearBackward(c.v, dv, needLn1, grads)
		];
		if (!needLn1) break;
		const [dAq, dAk, dAv] = dA as tf.Tensor2D[];
		const dx = gradOfNorm(`h${i}.ln1`, sum(dAq, dAk, dAv), c.ln1);
		dh = below ? sum(dh1, dx) : undefined;
	}
	if (embTrains && dh) {
		const { dTok, dPos } = embedGrad(ids, dh, vocab, t);
		p.paramBackward('tok', dTok, grads);
		p.paramBackward(
			'pos',
			t < context
				? tf.pad(dPos, [
						[0, context - t],
						[0, 0]
					])
				: dPos,
			grads
		);
	}
	return { loss, grads };
}
