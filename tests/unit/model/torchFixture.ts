/**
 * What the tests against PyTorch's float64 fixtures share (mlpTorch, transformerTorch): a method's
 * reference record, the fixture's weights as float32, the elementwise check |ours − ref| ≤
 * tol·(1 + |ref|), and the loss and gradients of the model's hand-written backward pass in
 * `tuned.trainable`'s order.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { ModelDef } from '$lib/model/model';
import type { Weights } from '$lib/model/params';
import type { Tuned } from '$lib/model/tuned';

/** One method's reference: its trainable names, every step's loss, step 1's gradients, final values. */
export interface MethodRef {
	trainable: string[];
	losses: number[];
	lossAfter: number;
	grads: Record<string, number[]>;
	end: Record<string, number[]>;
}

/** LoRA's reference: its rank, α and targets, and the nonzero B it starts from (so A's gradient is nonzero). */
export type LoraRef = MethodRef & {
	rank: number;
	alpha: number;
	targets: string[];
	start: Record<string, number[]>;
};

/** PyTorch's Adam settings of the fixture. */
export interface AdamRef {
	lr: number;
	beta1: number;
	beta2: number;
	eps: number;
}

/** What both fixtures hold: the batch, Adam's settings, the weights, the base's loss, full and LoRA. */
export interface TorchFixture {
	batch: number;
	adam: AdamRef;
	weights: Record<string, number[]>;
	base: { loss: number };
	methods: { full: MethodRef; lora: LoraRef };
}

/** The fixture's float64 weights as float32 arrays. */
export function fixtureWeights(weights: Record<string, number[]>): Weights {
	return Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, Float32Array.from(v)]));
}

/**
 * Fails unless every element is within tol·(1 + |ref|) of the reference; `onError`, if given,
 * sees each element's error relative to (1 + |ref|) (for reporting the worst).
 */
export function close(
	what: string,
	actual: ArrayLike<number>,
	expected: number[],
	tol: number,
	onError?: (relative: number) => void
): void {
	expect(actual.length, `${what}: length`).toBe(expected.length);
	for (let i = 0; i < expected.length; i++) {
		const err = Math.abs(actual[i] - expected[i]);
		onError?.(err / (1 + Math.abs(expected[i])));
		if (!(err <= tol * (1 + Math.abs(expected[i])))) {
			expect.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]} (tolerance ${tol})`);
		}
	}
}

/** Loss and gradients in `tuned.trainable`'s order by `model.gradients`; caller owns. */
export function handGradients(
	model: ModelDef,
	tuned: Tuned,
	x: tf.Tensor,
	oneHot: tf.Tensor2D,
	invBatch: tf.Scalar
): { loss: tf.Scalar; grads: tf.Tensor[] } {
	if (!model.gradients) throw new Error('the model has no hand-written backward pass');
	const gradients = model.gradients.bind(model);
	const [loss, ...grads] = tf.tidy(() => {
		const r = gradients(tuned, x, oneHot, invBatch);
		return [
			r.loss,
			...tuned.trainable.map(({ name }) => {
				const g = r.grads.get(name);
				if (!g) throw new Error(`the hand-written pass gave no gradient for ${name}`);
				return g;
			})
		];
	});
	return { loss: loss as tf.Scalar, grads };
}
