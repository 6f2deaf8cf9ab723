/**
 * A multilayer perceptron: linear layers with ReLU between them, logits out. The digits models
 * of the course are MLPs 64-…-10 over the 8×8 images.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelDef } from './model';
import { crossEntropyWithGrad } from './losses';
import { linearParams, type LinearSpec } from './params';

/**
 * An MLP over `sizes` (e.g. [64, 128, 128, 10]). Linear layers are named `l0`, `l1`, …; the last
 * one is the head. `forward` takes x [n, sizes[0]] and returns logits [n, sizes.at(-1)].
 */
export function mlp(sizes: readonly number[]): ModelDef {
	if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
		throw new RangeError(`MLP sizes must be ≥ 2 positive integers, got [${sizes.join(', ')}]`);
	}
	const linears: LinearSpec[] = sizes.slice(1).map((out, i) => ({
		name: `l${i}`,
		inDim: sizes[i],
		outDim: out,
		bias: true
	}));
	const last = linears.length - 1;
	return {
		id: `mlp-${sizes.join('-')}`,
		kind: 'mlp',
		params: linears.flatMap((l, i) =>
			linearParams(l, i === last ? Math.sqrt(1 / l.inDim) : Math.sqrt(2 / l.inDim))
		),
		linears,
		head: [linears[last].name],
		classes: sizes[sizes.length - 1],
		inputDtype: 'float32',
		forward(p, x) {
			let h = x as tf.Tensor2D;
			for (let i = 0; i < linears.length; i++) {
				h = p.linear(linears[i].name, h, i < last ? 'relu' : undefined);
			}
			return h;
		},
		gradients(p, x, targets, invBatch) {
			const caches = [];
			let h = x as tf.Tensor2D;
			for (let i = 0; i < linears.length; i++) {
				caches.push(p.linearForward(linears[i].name, h, i < last ? 'relu' : undefined));
				h = caches[i].out;
			}
			const { loss, dLogits } = crossEntropyWithGrad(h, targets, invBatch);
			const grads = new Map<string, tf.Tensor>();
			// Backward only as deep as the lowest layer that trains (all of them, or just the head).
			const lowest = linears.findIndex((l) => p.linearTrains(l.name));
			let d: tf.Tensor2D | undefined = dLogits;
			for (let i = last; lowest >= 0 && i >= lowest && d; i--) {
				d = p.linearBackward(caches[i], d, i > lowest, grads);
			}
			return { loss, grads };
		}
	};
}
