/**
 * Lesson 2's scaling ladder: the recorded fit is what the course's own fitter gives on the
 * recorded rungs, and every number the prose quotes about the ladder (its widths, parameter
 * counts, steps, data, R² and exponent) is the recording's, so a re-recorded ladder that
 * changes them fails here until the prose is rewritten. Its three cheapest rungs are trained
 * again, so a change to the trainer that moves the recorded numbers fails here too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitPowerLaw } from '$lib/math/scaling';
import { mlp } from '$lib/model/mlp';
import { sizeOf } from '$lib/model/params';
import recorded from '$lib/data/scalingLadder.json';
import { useRecordedBackend } from './recordedBackend';

const prose = readFileSync('lessons/02-scaling-laws/index.svx', 'utf8');
const params = (width: number) =>
	mlp([64, width, 10]).params.reduce((n, p) => n + sizeOf(p.shape), 0);
const thousands = (n: number) => n.toLocaleString('en-US');

describe('the recorded ladder', () => {
	it('holds one rung per width, each with the MLP 64-width-10’s parameter count', () => {
		expect(recorded.rungs.map((r) => r.width)).toEqual(recorded.spec.widths);
		for (const r of recorded.rungs) expect(r.params).toBe(params(r.width));
	});

	it('records the fit that fitPowerLaw gives on its rungs', () => {
		const fit = fitPowerLaw(
			recorded.rungs.map((r) => r.params),
			recorded.rungs.map((r) => r.testLoss)
		);
		for (const k of ['a', 'b', 'c', 'r2'] as const) {
			expect(Math.abs(fit[k] - recorded.fit[k]), k).toBeLessThan(1e-9 * (1 + Math.abs(fit[k])));
		}
	});
});

describe('lesson 2’s prose about the ladder', () => {
	const widths = recorded.spec.widths;
	const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

	it('names the widths, the parameter range, the steps and the data the recording used', () => {
		expect(prose).toContain(`It trains ${words[widths.length]} multilayer perceptrons`);
		expect(prose).toContain(`from ${widths[0]} to ${widths.at(-1)} hidden units`);
		expect(prose).toContain(
			`from ${thousands(params(widths[0]))} to ${thousands(params(widths.at(-1)!))} parameters`
		);
		expect(prose).toContain(`the same ${recorded.spec.steps} Adam steps`);
		const [train, test] = recorded.task.match(/[\d,]+(?= train| held out)/g)!;
		expect(prose).toContain(`same ${train} handwritten digits`);
		expect(prose).toContain(`same ${test} held-out digits`);
	});

	it('quotes the recorded R² and exponent', () => {
		const r2 = recorded.fit.r2;
		expect(prose).toContain(`explains ${(r2 * 100).toFixed(1)}% of the variance`);
		expect(prose).toContain(`$R^2 = ${r2.toFixed(3)}$`);
		expect(prose).toContain(`the exponent near ${recorded.fit.b.toFixed(1)}`);
	});
});

describe('the recording, re-run', () => {
	it(
		'its three cheapest rungs (widths 2, 4, 8) train again to the recorded losses, on wasm as recorded',
		{ timeout: 120_000 },
		async () => {
			await useRecordedBackend(recorded.backend);
			const { parseDigits } = await import('$lib/model/data/digits');
			const { Ladder } = await import('$lib/trainer/worker/ladder');
			const { digitsTask } = await import('$lib/trainer/worker/tasks');
			const digits = parseDigits(new Uint8Array(readFileSync('static/data/digits/digits.bin')));
			// A ladder needs three widths: the three narrowest take a few seconds.
			const spec = { ...recorded.spec, widths: recorded.spec.widths.slice(0, 3) };
			const ladder = new Ladder(digitsTask(digits, 'pretrain', undefined, spec.seed), spec);
			while (!ladder.done) await ladder.advance(100);
			ladder.results.forEach((rung, i) => {
				const want = recorded.rungs[i];
				expect(rung.params).toBe(want.params);
				// The same data, seed and steps; float32 summation order may differ a little
				// from the recording's kernels.
				expect(Math.abs(rung.testLoss - want.testLoss), `width ${rung.width}`).toBeLessThan(
					1e-4 * want.testLoss
				);
				expect(rung.testAccuracy, `width ${rung.width}`).toBeCloseTo(want.testAccuracy, 6);
			});
			expect(ladder.results).toHaveLength(3);
			ladder.dispose();
		}
	);
});
