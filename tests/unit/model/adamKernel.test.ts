/**
 * The fused Adam kernel against the chain of ops it replaces, and against the textbook update
 * (bias-corrected m̂ and v̂) computed in float64.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam } from '$lib/model/adam';
import { ADAM_KERNEL, adamUpdateArrays, hasFusedAdam } from '$lib/model/kernels/adamKernel';
import { createRng } from '$lib/math/rng';
import { toVariable, type NamedVariable } from '$lib/model/tuned';

beforeAll(async () => {
	await tf.setBackend('cpu');
});

function vars(seed: number): NamedVariable[] {
	const rng = createRng(seed);
	return [[7, 5], [5], [3, 4, 2]].map((shape, i) => ({
		name: `w${i}`,
		variable: toVariable(
			tf.tensor(
				Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal()),
				shape
			),
			true,
			`adamtest.${seed}.${i}`
		)
	}));
}

describe('fused Adam kernel', () => {
	it('is registered for the CPU backend', () => {
		expect(tf.getKernel(ADAM_KERNEL, 'cpu')).toBeDefined();
		expect(hasFusedAdam()).toBe(true);
	});

	it('follows the same trajectory as the op chain over 20 steps', () => {
		const a = vars(1);
		const b = vars(1);
		const fused = new Adam(a, 0.01);
		const chain = new Adam(b, 0.01, { fused: false });
		const rng = createRng(9);
		const before = tf.memory().numTensors;
		for (let step = 0; step < 20; step++) {
			const grads = a.map((v) =>
				tf.tensor(
					Float32Array.from({ length: v.variable.size }, () => rng.normal()),
					v.variable.shape
				)
			);
			fused.apply(grads);
			chain.apply(grads);
			tf.dispose(grads);
		}
		expect(tf.memory().numTensors).toBe(before);
		for (let i = 0; i < a.length; i++) {
			const x = a[i].variable.dataSync();
			const y = b[i].variable.dataSync();
			for (let j = 0; j < x.length; j++) expect(x[j]).toBeCloseTo(y[j], 5);
		}
		for (const t of [fused, chain]) t.dispose();
		for (const v of [...a, ...b]) v.variable.dispose();
	});

	it('matches the textbook bias-corrected update', () => {
		const n = 50;
		const rng = createRng(3);
		const x = Float32Array.from({ length: n }, () => rng.normal());
		const m = Float32Array.from({ length: n }, () => rng.normal() * 0.1);
		const v = Float32Array.from({ length: n }, () => rng.uniform() * 0.01);
		const g = Float32Array.from({ length: n }, () => rng.normal());
		const [lr, b1, b2, eps, t] = [1e-3, 0.9, 0.999, 1e-8, 7];
		const bc1 = 1 - b1 ** t;
		const bc2 = 1 - b2 ** t;
		const out = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
		adamUpdateArrays(x, g, m, v, out[0], out[1], out[2], {
			beta1: b1,
			beta2: b2,
			stepSize: (lr * Math.sqrt(bc2)) / bc1,
			eps: eps * Math.sqrt(bc2)
		});
		for (let i = 0; i < n; i++) {
			const mi = b1 * m[i] + (1 - b1) * g[i];
			const vi = b2 * v[i] + (1 - b2) * g[i] ** 2;
			const xi = x[i] - (lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps);
			expect(out[1][i]).toBeCloseTo(mi, 6);
			expect(out[2][i]).toBeCloseTo(vi, 6);
			expect(out[0][i]).toBeCloseTo(xi, 6);
		}
	});
});
