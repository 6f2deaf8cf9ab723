/**
 * The cpu backend's kernels for the hand-written step (`linalgCpu.ts`) against tfjs's own ops:
 * every transpose case of the product with and without bias and ReLU, the column sum, softmax
 * cross-entropy and its gradient; then a whole training run through them against the tape.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRng } from '$lib/math/rng';
import {
	COLSUM_KERNEL,
	MATMUL_KERNEL,
	RELU_GRAD_KERNEL,
	XENT_KERNEL,
	colSum,
	matMul,
	reluGrad,
	softmaxXent
} from '$lib/model/kernels/linalg';
import '$lib/model/kernels/linalgCpu';
import { mlp } from '$lib/model/mlp';
import { initWeights } from '$lib/model/params';
import { Trainer } from '$lib/trainer/worker/trainer';

beforeAll(async () => {
	await tf.setBackend('cpu');
});

/** Each test draws its inputs from a fresh stream, so none depends on which tests ran before it. */
let rng = createRng(11);
beforeEach(() => {
	rng = createRng(11);
});
const rand = (shape: [number, number]) =>
	tf.tensor2d(
		Float32Array.from({ length: shape[0] * shape[1] }, () => rng.normal()),
		shape
	);

function close(a: tf.Tensor, b: tf.Tensor) {
	expect(a.shape).toEqual(b.shape);
	const [x, y] = [a.dataSync(), b.dataSync()];
	for (let i = 0; i < x.length; i++) expect(x[i]).toBeCloseTo(y[i], 4);
}

describe('cpu kernels of the hand-written step', () => {
	it('are registered for the cpu backend', () => {
		for (const k of [MATMUL_KERNEL, COLSUM_KERNEL, XENT_KERNEL, RELU_GRAD_KERNEL])
			expect(tf.getKernel(k, 'cpu')).toBeDefined();
	});

	it.each([
		[false, false],
		[false, true],
		[true, false],
		[true, true]
	])('product with transposeA=%s, transposeB=%s, bias and ReLU matches tfjs', (tA, tB) => {
		const [m, k, n] = [5, 7, 3];
		const a = rand(tA ? [k, m] : [m, k]);
		const b = rand(tB ? [n, k] : [k, n]);
		const bias = tf.tensor1d([0.5, -1, 2]);
		close(matMul(a, b, { transposeA: tA, transposeB: tB }), tf.matMul(a, b, tA, tB));
		close(
			matMul(a, b, { transposeA: tA, transposeB: tB, bias, relu: true }),
			tf.relu(tf.add(tf.matMul(a, b, tA, tB), bias))
		);
	});

	it('column sum and softmax cross-entropy match tfjs', () => {
		const x = rand([6, 4]);
		close(colSum(x), tf.sum(x, 0));
		const logits = rand([6, 4]);
		const targets = tf.cast(
			tf.oneHot(tf.tensor1d([0, 3, 2, 1, 1, 0], 'int32'), 4),
			'float32'
		) as tf.Tensor2D;
		const inv = tf.scalar(1 / 6);
		const { rowLoss, dLogits } = softmaxXent(logits, targets, inv);
		const p = tf.softmax(logits);
		close(rowLoss, tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1)));
		close(dLogits, tf.mul(tf.sub(p, targets), inv));
	});

	it('ReLU’s gradient matches tfjs', () => {
		const dOut = rand([5, 6]);
		const out = rand([5, 6]);
		close(reluGrad(dOut, out), tf.mul(dOut, tf.step(out)));
	});

	it('turn NaN logits into a NaN loss, so divergence is still caught', () => {
		const logits = tf.tensor2d([[NaN, 1]]);
		const targets = tf.tensor2d([[1, 0]]);
		const { rowLoss } = softmaxXent(logits, targets, tf.scalar(1));
		expect(Number.isNaN(rowLoss.dataSync()[0])).toBe(true);
	});

	it.each(['full', 'lora'] as const)(
		'%s: training through them follows the tape’s loss curve',
		async (method) => {
			const model = mlp([16, 24, 5]);
			const n = 64;
			const task = {
				name: 't',
				inWidth: 16,
				outWidth: 1,
				classes: 5,
				train: {
					x: Float32Array.from({ length: n * 16 }, () => rng.normal()),
					y: Int32Array.from({ length: n }, () => rng.int(5)),
					n
				},
				test: {
					x: Float32Array.from({ length: n * 16 }, () => rng.normal()),
					y: Int32Array.from({ length: n }, () => rng.int(5)),
					n
				}
			};
			const base = initWeights(model.params, createRng(2));
			const config = {
				model,
				base,
				tuning: { method, rank: 2 },
				task,
				lr: 1e-2,
				batchSize: 16,
				seed: 3
			};
			const hand = new Trainer(config);
			const tape = new Trainer({ ...config, handGradients: false });
			for (let i = 0; i < 4; i++) {
				const [a, b] = [await hand.run(10), await tape.run(10)];
				expect(a.loss).toBeCloseTo(b.loss, 3);
			}
			hand.dispose();
			tape.dispose();
		}
	);
});
