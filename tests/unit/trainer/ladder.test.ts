/**
 * The scaling ladder on the real digits (cpu backend in Node): bigger rungs reach a lower held-out
 * loss, the same seed gives the same losses however the steps are chunked, bad specs are refused,
 * and no tensor outlives a rung or a disposed ladder; through the host, it pauses and resumes.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fitPowerLaw } from '$lib/math/scaling';
import { parseDigits } from '$lib/model/data/digits';
import { DEFAULT_LADDER, checkLadder, rungParams } from '$lib/trainer/ladderSpec';
import type { LadderSpec, TrainerEvent } from '$lib/trainer/protocol';
import { Ladder } from '$lib/trainer/worker/ladder';
import { digitsTask } from '$lib/trainer/worker/tasks';
import { ladderHost } from './ladderHost';
import { waitFor } from './waitFor';

const digits = parseDigits(new Uint8Array(readFileSync('static/data/digits/digits.bin')));
const task = digitsTask(digits, 'pretrain');
const small: LadderSpec = { widths: [2, 8, 32], steps: 150, batchSize: 64, lr: 0.01, seed: 1 };

async function finish(ladder: Ladder, chunk: number) {
	while (!ladder.done) await ladder.advance(chunk);
	return ladder.results;
}

beforeAll(async () => {
	await tf.setBackend('cpu');
});

describe('Ladder', () => {
	it('counts parameters of in → width → classes', () => {
		expect(rungParams(2, 64, 10)).toBe(65 * 2 + 3 * 10);
		expect(rungParams(256, 64, 10)).toBe(19_210);
		const [lo, hi] = [DEFAULT_LADDER.widths[0], DEFAULT_LADDER.widths.at(-1)!];
		expect(rungParams(hi, 64, 10) / rungParams(lo, 64, 10)).toBeGreaterThan(30);
		expect(DEFAULT_LADDER.widths.length).toBeGreaterThanOrEqual(5);
	});

	it('refuses bad specs with a message naming the field', () => {
		expect(() => checkLadder({ ...small, widths: [4, 2, 8] })).toThrow(/increase/);
		expect(() => checkLadder({ ...small, widths: [2, 4] })).toThrow(/at least 3/);
		expect(() => checkLadder({ ...small, steps: 0 })).toThrow(/steps/);
		expect(() => checkLadder({ ...small, lr: NaN })).toThrow(/lr/);
		expect(() => new Ladder(task, { ...small, widths: [1.5, 2, 3] })).toThrow(/widths\[0\]/);
	});

	it(
		'trains every rung, bigger rungs lose less, and frees every tensor',
		{ timeout: 60_000 },
		async () => {
			const before = tf.memory().numTensors;
			const ladder = new Ladder(task, small);
			const results = await finish(ladder, 50);
			expect(results.map((r) => r.width)).toEqual([2, 8, 32]);
			expect(results.map((r) => r.params)).toEqual([2, 8, 32].map((w) => rungParams(w, 64, 10)));
			expect(results[0].testLoss).toBeGreaterThan(results[1].testLoss);
			expect(results[1].testLoss).toBeGreaterThan(results[2].testLoss);
			expect(results[2].testAccuracy).toBeGreaterThan(0.85);
			expect(ladder.stepsDone).toBe(ladder.totalSteps);
			expect(tf.memory().numTensors).toBe(before);
			const fit = fitPowerLaw(
				results.map((r) => r.params),
				results.map((r) => r.testLoss)
			);
			expect(fit.b).toBeGreaterThan(0);
		}
	);

	it(
		'gives the same losses for the same seed, however the steps are chunked',
		{ timeout: 60_000 },
		async () => {
			const a = await finish(new Ladder(task, small), 150);
			const b = await finish(new Ladder(task, small), 7);
			expect(b.map((r) => r.testLoss)).toEqual(a.map((r) => r.testLoss));
			const c = await finish(new Ladder(task, { ...small, seed: 2 }), 150);
			expect(c.map((r) => r.testLoss)).not.toEqual(a.map((r) => r.testLoss));
		}
	);

	it('frees the rung in training when disposed midway', async () => {
		const before = tf.memory().numTensors;
		const ladder = new Ladder(task, small);
		await ladder.advance(10);
		expect(tf.memory().numTensors).toBeGreaterThan(before);
		ladder.dispose();
		expect(tf.memory().numTensors).toBe(before);
	});
});

describe('TrainerHost ladder', () => {
	it(
		'runs in chunks, pauses, resumes to the end and leaks nothing',
		{ timeout: 60_000 },
		async () => {
			const events: TrainerEvent[] = [];
			const host = ladderHost(events, digits);
			await host.handle({ type: 'init', backend: 'cpu', assets: '/' });
			const before = tf.memory().numTensors;
			await host.handle({ type: 'ladder', spec: small });
			await waitFor(
				() => events.some((e) => e.type === 'ladder' && e.done > 0),
				'the ladder to take its first steps'
			);
			await host.handle({ type: 'pause' });
			const paused = events.filter((e) => e.type === 'ladder').at(-1)!;
			expect(paused).toMatchObject({ running: false, total: 450, backend: 'cpu' });
			expect(events.filter((e) => e.type === 'rung').length).toBeLessThan(3);
			await host.handle({ type: 'ladder', spec: null });
			await waitFor(
				() => events.filter((e) => e.type === 'rung').length >= 3,
				'all three rungs',
				120_000
			);
			await host.handle({ type: 'pause' });
			const rungs = events.filter((e) => e.type === 'rung');
			const direct = await finish(new Ladder(task, small), 150);
			expect(rungs.map((r) => r.testLoss)).toEqual(direct.map((r) => r.testLoss));
			expect(events.filter((e) => e.type === 'ladder').at(-1)).toMatchObject({
				done: 450,
				width: null
			});
			expect(events.some((e) => e.type === 'error')).toBe(false);
			await host.handle({ type: 'dispose' });
			expect(tf.memory().numTensors).toBe(before);
		}
	);
});
