/**
 * Lesson 4's active reading: the two "Predict, then run" reveals, the note on stable against
 * effective rank and the exercises' worked answers quote the recorded runs (and the course's own
 * spectrum measures), so a new recording that moved a number would fail here, not mislead.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { effectiveRank, energyCaptured, stableRank, truncationError } from '$lib/math/spectrum';
import { RECORDED } from '../../../lessons/04-low-rank-updates/recorded';
import { fullId, loraId } from '../../../lessons/04-low-rank-updates/recordedSpec';
import { randomUnitSpectrum, spectrumStats } from '../../../lessons/04-low-rank-updates/spectra';
import { gapPoints } from './prose';

const prose = readFileSync('lessons/04-low-rank-updates/index.svx', 'utf8');
const small = RECORDED.runs[fullId('small', 'l1')];
const big = RECORDED.runs[fullId('big', 'l1')];
const sigma = small.singularValues!;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const whole = (v: number) => `${Math.round(v * 100)}%`;
const lora = (r: number) => RECORDED.lora[loraId('big', 'l1', r)];
/** The text of one block of the lesson, from its opening tag to its closing one. */
function block(open: string, close: string): string {
	const start = prose.indexOf(open);
	expect(start, open).toBeGreaterThanOrEqual(0);
	return prose.slice(start, prose.indexOf(close, start));
}

describe("lesson 4's predictions", () => {
	it('the spectrum reveal quotes the recorded default run and the figure’s random reference', () => {
		const text = block('<Predict id="predict-spectrum"', '</Predict>');
		const s = spectrumStats(sigma);
		expect(s.n).toBe(128);
		expect(text).toContain(
			`90% of the energy needed ${s.rank90} of the 128 directions, and the top 4 held ${whole(s.energy4)}`
		);
		// The figure draws its random reference from this seed (SpectrumLab's default).
		const random = spectrumStats(randomUnitSpectrum(128, 128, 1));
		expect(text).toContain(`A random matrix of the same shape and norm needs ${random.rank90}.`);
		// "More than a rank-4 adapter could hold": the answer lies in the second choice.
		expect(s.rank90).toBeGreaterThan(4);
		expect(s.rank90).toBeLessThanOrEqual(30);
		expect(text).toContain("'5 to 30'");
		// The prediction comes before the figure it predicts.
		expect(prose.indexOf('<Predict id="predict-spectrum"')).toBeLessThan(
			prose.indexOf('<SpectrumLab>')
		);
	});

	it('the rank reveal quotes the recorded sweep on the large drift', () => {
		const text = block('<Predict id="predict-rank"', '</Predict>');
		expect(text).toContain(`full fine-tuning reaches ${pct(big.testAccuracy)}`);
		expect(text).toContain(
			`reaches ${whole(lora(1).testAccuracy)} at rank 1 and ${whole(lora(4).testAccuracy)} at rank 4`
		);
		expect(text).toContain(
			`is ${gapPoints(big.testAccuracy, lora(8).testAccuracy)} points behind at rank 8`
		);
		expect(text).toContain(
			`and ${gapPoints(big.testAccuracy, lora(16).testAccuracy)} behind at rank 16`
		);
		expect(text).toContain(
			`training ${lora(16).trainableParams.toLocaleString('en')} numbers where the layer has ${(128 * 128).toLocaleString('en')}`
		);
		// "From rank 16": the first recorded rank within 2 points.
		const first = [1, 2, 4, 8, 16, 32, 64].find(
			(r) => big.testAccuracy - lora(r).testAccuracy < 0.02
		);
		expect(first).toBe(16);
		expect(text).toMatch(/^<Predict[^>]*>\s*From rank 16\./);
		expect(prose.indexOf('<Predict id="predict-rank"')).toBeLessThan(prose.indexOf('<RankSlider>'));
	});
});

describe("lesson 4's stable and effective rank", () => {
	it('explains why 6.6 and 48 differ, with the ratio it states', () => {
		const stable = stableRank(sigma);
		const effective = effectiveRank(sigma);
		expect(prose).toContain(
			`Its stable rank is ${stable.toFixed(1)} and its effective rank ${Math.round(effective)}.`
		);
		expect(Math.round(effective / stable)).toBe(7);
		expect(prose).toContain('disagree by a factor of seven');
		expect(prose).toContain(
			`${Math.round(effective)} says how far the long tail spreads, ${stable.toFixed(1)} how much the head stands out`
		);
		expect(prose).toMatch(/\[stable rank\]\(\.\.\/\.\.\/glossary\/#stable-rank\)/);
		expect(prose).toMatch(/\[effective rank\]\(\.\.\/\.\.\/glossary\/#effective-rank\)/);
	});
});

describe("lesson 4's exercises", () => {
	const exercises = block('<Exercises>', '</Exercises>');

	it('come before the What to remember box, three of them', () => {
		expect(prose.indexOf('</Exercises>')).toBeLessThan(prose.indexOf('<Takeaways>'));
		expect(exercises.match(/<Exercise>/g)).toHaveLength(3);
	});

	it('work the rank-k error from the recorded energy', () => {
		const e4 = energyCaptured(sigma, 4);
		const e17 = energyCaptured(sigma, 17);
		expect(exercises).toContain(
			`puts ${whole(e4)} of its energy in its top 4 directions and ${whole(e17)} in its top 17`
		);
		const norm = Math.hypot(...sigma);
		const err = (k: number) => truncationError(sigma, k) / norm;
		expect(err(4)).toBeCloseTo(Math.sqrt(1 - e4), 10);
		expect(exercises).toContain(
			`$\\sqrt{1 - ${(Math.round(e4 * 100) / 100).toFixed(2)}} \\approx ${whole(err(4)).replace('%', '\\%')}$ at rank 4`
		);
		expect(exercises).toContain(
			`$\\sqrt{1 - ${(Math.round(e17 * 100) / 100).toFixed(2)}} \\approx ${whole(err(17)).replace('%', '\\%')}$ at rank 17`
		);
		// The rounded energies give the same rounded errors.
		expect(whole(Math.sqrt(1 - 0.47))).toBe(whole(err(4)));
		expect(whole(Math.sqrt(1 - 0.91))).toBe(whole(err(17)));
		expect(exercises).toContain(`still leaves ${whole(err(17))} of the update's norm`);
	});

	it("count LoRA's numbers as the recorded sweep does", () => {
		const n = (r: number) => lora(r).trainableParams;
		expect(n(16)).toBe(4096);
		expect(exercises).toContain(
			'$16 \\cdot (128 + 128) = 4{,}096$, a quarter of the layer’s 16,384'.replace('’', "'")
		);
		expect(n(64)).toBe(128 * 128);
		expect(exercises).toContain(`rank 128 trains ${n(128).toLocaleString('en')}`);
		expect((128 * 128) / (128 + 128)).toBe(64);
	});

	it('work the toy spectrum’s stable and effective rank with the course’s own measures', () => {
		const toy = [3, 1, 1, 1];
		expect(stableRank(toy).toFixed(2)).toBe('1.33');
		expect(effectiveRank(toy)).toBeCloseTo(Math.sqrt(12), 10);
		expect(effectiveRank(toy).toFixed(2)).toBe('3.46');
		expect(exercises).toContain('12/9 \\approx 1.33');
		expect(exercises).toContain('\\sqrt{12} \\approx 3.46');
		expect(9 / 12).toBe(0.75);
		expect(exercises).toContain('three quarters of the energy');
	});
});

describe("lesson 4's links", () => {
	it('link the glossary at first uses and the lab', () => {
		for (const id of [
			'lora',
			'peft',
			'rank',
			'delta-w',
			'full-fine-tuning',
			'adam-state',
			'singular-values',
			'energy',
			'stable-rank',
			'effective-rank',
			'learning-rate',
			'drift',
			'alpha',
			'intrinsic-dimension',
			'bits-per-character',
			'head-only',
			'bitfit'
		])
			expect(prose, id).toContain(`](../../glossary/#${id})`);
		expect(prose).toContain('](../../lab/)');
	});
});
