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
import { parseDigits } from '$lib/model/data/digits';
import { mlp } from '$lib/model/mlp';
import { initWeights, sizeOf } from '$lib/model/params';
import type { TuningConfig } from '$lib/model/tuned';
import { digitsTask } from '$lib/trainer/tasks';
import { DivergenceError, Trainer, type TrainerConfig } from '$lib/trainer/trainer';

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

	// A thousand real steps: on a busy shared machine this can take well over the default 5 s.
	it(
		'leaks no tensor over 1,000 steps and 20 configure/reset cycles',
		{ timeout: 60_000 },
		async () => {
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
			for (const tuning of [
				{ method: 'full' },
				{ method: 'head' },
				{ method: 'bitfit' }
			] as const) {
				const u = new Trainer(config(tuning));
				await u.run(5);
				u.dispose();
			}
			expect(tf.memory().numTensors).toBe(before);
		}
	);

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

	it('measures its memory: frozen, trainable, optimizer state and the transient peak', async () => {
		const total = model.params.reduce((n, p) => n + sizeOf(p.shape), 0);
		const full = new Trainer(config({ method: 'full' }));
		const lora = new Trainer(config({ method: 'lora', rank: 4 }));
		const f = full.ledger();
		const l = lora.ledger();
		expect(f.frozen).toBe(0);
		expect(f.trainable).toBe(total * 4);
		expect(f.optimizer).toBe(total * 8);
		expect(l.frozen).toBe(total * 4);
		expect(l.trainableParams).toBe(4 * (64 + 32));
		expect(l.optimizer).toBe(2 * l.trainable);
		expect(f.transientPeak).toBe(0);
		const peakFull = await full.measureStep();
		const peakLora = await lora.measureStep();
		// A step holds at least the batch's activations and every gradient of what trains. (On a
		// model this small LoRA's extra activations can outweigh the gradients it saves.)
		expect(peakFull).toBeGreaterThan(32 * (64 + 32 + 10) * 4 + total * 4);
		expect(peakLora).toBeGreaterThan(32 * (64 + 32 + 10) * 4);
		full.dispose();
		lora.dispose();
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
