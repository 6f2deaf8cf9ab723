/**
 * LoRA training steps against PyTorch: the same two-layer MLP, batch, initial A and B, and Adam
 * settings as scripts/fixtures/lora_step.py (run with Debian's python3-torch); three steps must
 * give the same losses, gradients and final adapters to float32 precision.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '$lib/math/rng';
import { Adam, assignValues } from '$lib/model/adam';
import { crossEntropy } from '$lib/model/losses';
import { LoraTuned } from '$lib/model/methods';
import { mlp } from '$lib/model/mlp';

const fx = JSON.parse(readFileSync('tests/fixtures/lora_step.json', 'utf8'));
const { n, dIn, dHidden, dOut, rank } = fx.shapes;

function close(actual: ArrayLike<number>, expected: number[], tol: number) {
	expect(actual.length).toBe(expected.length);
	for (let i = 0; i < expected.length; i++) {
		expect(
			Math.abs(actual[i] - expected[i]),
			`index ${i}: ${actual[i]} vs ${expected[i]}`
		).toBeLessThan(tol * (1 + Math.abs(expected[i])));
	}
}

beforeAll(async () => {
	await tf.setBackend('cpu');
});

describe('LoRA against PyTorch', () => {
	it('matches three Adam steps: losses, gradients and final A and B', () => {
		const before = tf.memory().numTensors;
		const model = mlp([dIn, dHidden, dOut]);
		const weights = Object.fromEntries(
			Object.entries(fx.weights as Record<string, number[]>).map(([k, v]) => [
				k,
				Float32Array.from(v)
			])
		);
		const lora = new LoraTuned(
			model,
			weights,
			{ method: 'lora', rank, alpha: fx.alpha, targets: ['l0'] },
			createRng(0)
		);
		const [A, B] = lora.trainable.map((t) => t.variable);
		expect(lora.trainable.map((t) => t.name)).toEqual(['l0.A', 'l0.B']);
		assignValues(A, Float32Array.from(fx.start.A));
		assignValues(B, Float32Array.from(fx.start.B));
		const adam = new Adam(lora.trainable, fx.adam.lr, fx.adam);
		const x = tf.tensor2d(fx.x, [n, dIn]);
		const y = tf.tensor1d(fx.labels, 'int32');
		for (const expected of fx.steps) {
			const { value, grads } = tf.variableGrads(
				() => tf.tidy(() => crossEntropy(model.forward(lora, x), y)),
				[A, B]
			);
			expect(value.dataSync()[0]).toBeCloseTo(expected.loss, 5);
			close(grads[A.name].dataSync(), expected.gradA, 1e-5);
			close(grads[B.name].dataSync(), expected.gradB, 1e-5);
			adam.apply([grads[A.name], grads[B.name]]);
			value.dispose();
			tf.dispose(grads);
		}
		close(A.dataSync(), fx.end.A, 1e-5);
		close(B.dataSync(), fx.end.B, 1e-5);
		tf.dispose([x, y]);
		adam.dispose();
		lora.dispose();
		expect(tf.memory().numTensors).toBe(before);
	});
});
