/**
 * What the checks against PyTorch's float64 fixtures share (mlpTorch and transformerTorch in
 * Node, the kernel check page in Chromium): a method's reference record, the fixture's weights as
 * float32, the elementwise measure |ours − ref| / (1 + |ref|) that every check holds to a
 * tolerance, and the loss and gradients of the model's hand-written backward pass in
 * `tuned.trainable`'s order. Pure tfjs: no test runner, so a browser page can import it.
 */
import * as tf from '@tensorflow/tfjs-core';
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

/**
 * One comparison with the reference: `kind` names what is compared (loss, gradient, value, …),
 * `what` the quantity; every element must lie within tol·(1 + |ref|). The Node tests fail on the
 * first element outside; the kernel check page records the worst error of each kind.
 */
export type Check = (
	kind: string,
	what: string,
	actual: ArrayLike<number>,
	expected: number[],
	tol: number
) => void;

/** The fixture's float64 weights as float32 arrays. */
export function fixtureWeights(weights: Record<string, number[]>): Weights {
	return Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, Float32Array.from(v)]));
}

/**
 * Each element's error relative to (1 + |ref|), the measure every tolerance applies to; a length
 * mismatch is one infinite error.
 */
export function relativeErrors(actual: ArrayLike<number>, expected: number[]): number[] {
	if (actual.length !== expected.length) return [Infinity];
	return expected.map((e, i) => {
		const err = Math.abs(actual[i] - e) / (1 + Math.abs(e));
		return Number.isNaN(err) ? Infinity : err;
	});
}

/** The worst error and the tolerance of one kind of check. */
export interface Worst {
	worst: number;
	tol: number;
}

/** A `Check` that records, under `${prefix} ${kind}`, the worst relative error and the tolerance. */
export function worstRecorder(prefix: string, into: Record<string, Worst>): Check {
	return (kind, _what, actual, expected, tol) => {
		const key = `${prefix} ${kind}`;
		const worst = Math.max(...relativeErrors(actual, expected));
		const was = into[key];
		into[key] = { worst: Math.max(was?.worst ?? 0, worst), tol: Math.max(was?.tol ?? 0, tol) };
	};
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

/** Fails with `message` unless `ok` (for the runners' own preconditions, not the comparisons). */
export function assert(ok: boolean, message: string): asserts ok {
	if (!ok) throw new Error(message);
}
