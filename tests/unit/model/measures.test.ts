/**
 * What the experiment queue reads from a tuned model: W₀ of a layer, LoRA's factors in the
 * paper's layout, and evaluation with a layer's weight replaced (ΔW truncated), which must leave
 * the trained weights in force afterwards and free its tensor.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '$lib/math/rng';
import { LoraTuned, prepare } from '$lib/model/methods';
import { mlp } from '$lib/model/mlp';
import { initWeights } from '$lib/model/params';
import type { Tuned, TuningConfig } from '$lib/model/tuned';

beforeAll(async () => {
	await tf.setBackend('cpu');
});

const model = mlp([6, 5, 4, 3]);
const base = initWeights(model.params, createRng(11));
const x = () =>
	tf.tensor2d(
		Array.from({ length: 4 * 6 }, (_, i) => Math.cos(i * 0.9)),
		[4, 6]
	);

/** Logits of `tuned` on the fixed batch, as plain numbers. */
function logits(tuned: Tuned): number[] {
	return tf.tidy(() => Array.from(model.forward(tuned, x()).dataSync()));
}

/** Give every trainable variable a seeded random value, so updates are non-zero. */
function perturb(tuned: Tuned, seed: number) {
	const rng = createRng(seed);
	for (const { variable } of tuned.trainable) {
		const v = Float32Array.from({ length: variable.size }, () => rng.normal(0, 0.5));
		const t = tf.tensor(v, variable.shape);
		variable.assign(t);
		t.dispose();
	}
}

describe('measures on a tuned model', () => {
	it('baseWeight is W₀ as shipped, a copy', () => {
		const tuned = prepare(model, base, { method: 'full' }, createRng(1));
		perturb(tuned, 2);
		const w0 = tuned.baseWeight('l1');
		expect(w0).toEqual(base['l1.W']);
		w0[0] += 1;
		expect(tuned.baseWeight('l1')[0]).toBe(base['l1.W'][0]);
		tuned.dispose();
	});

	it('LoRA factors: A [r, in] and B [out, r] with ΔWᵀ = (α/r)·B·A', async () => {
		const tuned = prepare(
			model,
			base,
			{ method: 'lora', rank: 2, alpha: 6, targets: ['l1'] },
			createRng(3)
		) as LoraTuned;
		perturb(tuned, 4);
		const { A, B, scale } = await tuned.factors('l1');
		expect(scale).toBe(3);
		const [inDim, outDim, r] = [5, 4, 2];
		expect([A.length, B.length]).toEqual([r * inDim, outDim * r]);
		const dw = await tuned.deltaW('l1');
		for (let i = 0; i < inDim; i++)
			for (let j = 0; j < outDim; j++) {
				let s = 0;
				for (let t = 0; t < r; t++) s += B[j * r + t] * A[t * inDim + i];
				expect(dw[i * outDim + j]).toBeCloseTo(scale * s, 5);
			}
		await expect(tuned.factors('l0')).rejects.toThrow(/no LoRA adapter/);
		tuned.dispose();
	});

	it.each([
		['full', { method: 'full' }],
		['lora', { method: 'lora', rank: 2, targets: ['l1'] }],
		['head', { method: 'head' }]
	] as [string, TuningConfig][])(
		'%s: withWeight replaces the layer’s whole weight, then restores it, leaking nothing',
		async (_m, tuning) => {
			const before = tf.memory().numTensors;
			const tuned = prepare(model, base, tuning, createRng(5));
			perturb(tuned, 6);
			const trained = logits(tuned);
			// W₀ + ΔW in full gives the trained model back; W₀ alone gives the base on that layer.
			const dw = await tuned.deltaW('l1');
			const w0 = tuned.baseWeight('l1');
			const whole = w0.map((v, i) => v + dw[i]);
			const same = await tuned.withWeight('l1', whole, async () => logits(tuned));
			same.forEach((v, i) => expect(v).toBeCloseTo(trained[i], 4));

			const reference = prepare(
				model,
				{ ...(await tuned.exportWeights()), 'l1.W': w0 },
				{
					method: 'full'
				},
				createRng(5)
			);
			const expected = logits(reference);
			reference.dispose();
			const replaced = await tuned.withWeight('l1', w0, async () => logits(tuned));
			replaced.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
			if (tuning.method !== 'head') expect(replaced).not.toEqual(trained);

			expect(logits(tuned)).toEqual(trained);
			await expect(
				tuned.withWeight('l1', w0, async () => {
					throw new Error('inside');
				})
			).rejects.toThrow('inside');
			expect(logits(tuned)).toEqual(trained);
			await expect(tuned.withWeight('l1', new Float32Array(3), async () => 0)).rejects.toThrow(
				/3 values/
			);
			tuned.dispose();
			expect(tf.memory().numTensors).toBe(before);
		}
	);
});
