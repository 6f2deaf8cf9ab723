/**
 * The training loop on the real digits data (cpu backend in Node): the loss falls, a seed gives
 * the same curve, no tensor leaks over 1,000 steps and 20 resets, divergence is caught and
 * explained, and the memory ledger measures what each method really holds.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '$lib/math/rng';
import { mlpActivationBytes, stepPeakBounds } from '$lib/math/stepPeak';
import { parseDigits } from '$lib/model/data/digits';
import { mlp } from '$lib/model/mlp';
import { initWeights, sizeOf } from '$lib/model/params';
import type { TuningConfig } from '$lib/model/tuned';
import { digitsTask } from '$lib/trainer/worker/tasks';
import { DivergenceError, Trainer, type TrainerConfig } from '$lib/trainer/worker/trainer';

const digits = parseDigits(new Uint8Array(readFileSync('static/data/digits/digits.bin')));
const model = mlp([64, 32, 10]);
const base = initWeights(model.params, createRng(3));
const task = digitsTask(digits, 'pretrain');

function config(tuning: TuningConfig = { method: 'full' }, lr = 0.01): TrainerConfig {
	return { model, base, tuning, task, lr, batchSize: 32, seed: 42 };
}

beforeAll(async () => {
	await tf.setBackend('cpu');
});

describe('Trainer', () => {
	it('lowers the loss and learns the digits', async () => {
		const t = new Trainer(config());
		const before = await t.evaluate();
		const first = await t.run(1);
		let last = first;
		for (let i = 0; i < 10; i++) last = await t.run(30);
		const after = await t.evaluate();
		expect(last.step).toBe(301);
		expect(last.loss).toBeLessThan(first.loss * 0.5);
		expect(after.testAccuracy).toBeGreaterThan(0.85);
		expect(after.testAccuracy).toBeGreaterThan(before.testAccuracy + 0.5);
		t.dispose();
	});

	it('gives the same loss curve for the same seed, and again after reset', async () => {
		const curve = async (t: Trainer) => {
			const out: number[] = [];
			for (let i = 0; i < 5; i++) out.push((await t.run(4)).loss);
			return out;
		};
		const a = new Trainer(config({ method: 'lora', rank: 2 }));
		const b = new Trainer(config({ method: 'lora', rank: 2 }));
		const first = await curve(a);
		expect(await curve(b)).toEqual(first);
		a.reset();
		expect(a.step).toBe(0);
		expect(await curve(a)).toEqual(first);
		const c = new Trainer({ ...config({ method: 'lora', rank: 2 }), seed: 43 });
		expect(await curve(c)).not.toEqual(first);
		[a, b, c].forEach((t) => t.dispose());
	});

	it.each([
		['full', { method: 'full' }],
		['lora', { method: 'lora', rank: 4 }],
		['head', { method: 'head' }],
		['bitfit', { method: 'bitfit' }]
	] as [string, TuningConfig][])(
		'%s: the hand-written backward pass follows the tape’s loss curve',
		async (_m, tuning) => {
			const hand = new Trainer(config(tuning));
			const tape = new Trainer({ ...config(tuning), handGradients: false });
			for (let i = 0; i < 5; i++) {
				const [a, b] = [await hand.run(10), await tape.run(10)];
				expect(a.loss).toBeCloseTo(b.loss, 3);
				expect(a.meanLoss).toBeCloseTo(b.meanLoss, 3);
			}
			hand.dispose();
			tape.dispose();
		}
	);

	it('leaks no tensor over 1,000 steps and 20 configure/reset cycles', async () => {
		const before = tf.memory().numTensors;
		const t = new Trainer(config({ method: 'lora', rank: 4 }));
		const during = tf.memory().numTensors;
		for (let i = 0; i < 10; i++) await t.run(100);
		expect(t.step).toBe(1000);
		await t.evaluate();
		await t.deltaW('l0');
		await t.measureStep();
		expect(tf.memory().numTensors).toBe(during);
		for (let i = 0; i < 20; i++) {
			t.reset();
			await t.run(3);
		}
		expect(tf.memory().numTensors).toBe(during);
		t.dispose();
		for (const tuning of [{ method: 'full' }, { method: 'head' }, { method: 'bitfit' }] as const) {
			const u = new Trainer(config(tuning));
			await u.run(5);
			u.dispose();
		}
		expect(tf.memory().numTensors).toBe(before);
	});

	it('stops a diverging run with an explanation (learning rate 10)', async () => {
		const t = new Trainer(config({ method: 'full' }, 10));
		let error: unknown;
		try {
			for (let i = 0; i < 50; i++) await t.run(10);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(DivergenceError);
		expect((error as Error).message).toMatch(/learning rate/i);
		t.reset();
		t.lr = 0.01;
		expect(Number.isFinite((await t.run(5)).loss)).toBe(true);
		t.dispose();
	});

	it('measures its memory with tfjs’s own byte count, against parameter counts and activations', async () => {
		const total = model.params.reduce((n, p) => n + sizeOf(p.shape), 0);
		const before = tf.memory().numBytes;
		const full = new Trainer(config({ method: 'full' }));
		const afterFull = tf.memory().numBytes;
		const lora = new Trainer(config({ method: 'lora', rank: 4 }));
		const afterLora = tf.memory().numBytes;
		const f = full.ledger();
		const l = lora.ledger();
		// Each trainer's categories add up to what tfjs's engine gained when it was made.
		expect(f.frozen + f.trainable + f.optimizer + f.data).toBe(afterFull - before);
		expect(l.frozen + l.trainable + l.optimizer + l.data).toBe(afterLora - afterFull);
		// Against parameter counts × 4 B (× 8 for Adam's moments): Adam adds its four scalar
		// constants (16 B) and LoRA its α/r, one 4 B scalar for its one adapted layer (l0).
		expect(f.frozen).toBe(0);
		expect(f.trainable).toBe(total * 4);
		expect(f.optimizer).toBe(total * 8 + 16);
		expect(l.frozen).toBe(total * 4 + 4);
		expect(l.trainableParams).toBe(4 * (64 + 32));
		expect(l.trainable).toBe(l.trainableParams * 4);
		expect(l.optimizer).toBe(l.trainableParams * 8 + 16);
		// The data: inputs and labels of both splits, the one-hot training targets the hand-written
		// backward pass uses, and its one scalar 1/batch.
		const rows = task.train.n + task.test.n;
		expect(f.data).toBe(4 * (rows * (64 + 1) + task.train.n * 10) + 4);

		// The transient peak, between the bounds the model's activations give (`stepPeakBounds`):
		// here tfjs's own ops, none of the worker's fused kernels registered.
		expect(f.transientPeak).toBe(0);
		for (const [t, trainable, largest] of [
			[full, total, 64 * 32],
			[lora, l.trainableParams, 64 * 4]
		] as const) {
			const peak = await t.measureStep();
			const isLora = t === lora;
			const bounds = stepPeakBounds({
				activations: mlpActivationBytes(
					[64, 32, 10],
					32,
					isLora ? { rank: 4, outDims: [32] } : undefined
				),
				gradients: 4 * trainable,
				largestVariable: 4 * largest,
				largestWeight: 4 * 64 * 32
			});
			expect(peak).toBeGreaterThanOrEqual(bounds.lower);
			expect(peak).toBeLessThanOrEqual(bounds.upper);
		}
		lora.dispose();
		expect(tf.memory().numBytes).toBe(afterFull);
		full.dispose();
		expect(tf.memory().numBytes).toBe(before);
	});

	it('rejects bad settings with clear errors', () => {
		expect(() => new Trainer(config({ method: 'full' }, -1))).toThrow(/learning rate/);
		expect(() => new Trainer({ ...config(), batchSize: 0 })).toThrow(/batch size/);
		expect(() => new Trainer({ ...config(), base: {} })).toThrow(/lack/);
	});
});

describe('checkpoints', () => {
	it('carry a run to a fresh trainer that continues exactly where it was', async () => {
		const a = new Trainer(config({ method: 'lora', rank: 2 }));
		await a.run(20);
		const cp = await a.checkpoint();
		const b = new Trainer({ ...config({ method: 'lora', rank: 2 }), seed: 99 });
		b.restore(cp);
		expect(b.step).toBe(20);
		const [ea, eb] = [await a.evaluate(), await b.evaluate()];
		expect(eb.testLoss).toBeCloseTo(ea.testLoss, 6);
		expect(await b.deltaW('l0')).toEqual(await a.deltaW('l0'));
		const c = new Trainer(config({ method: 'full' }));
		expect(() => c.restore(cp)).toThrow(/does not match/);
		[a, b, c].forEach((t) => t.dispose());
	});
});
