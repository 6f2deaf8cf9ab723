/**
 * The digits beside the shift lab's dial (src/lib/widgets/shiftDigits.ts): the same six held-out
 * images at every stop, with exactly the pixels the task generator gives the whole held-out split
 * at that stop (the data the recorded grid was scored on); each image's draws are the ones
 * `affineDistort` makes, checked by redoing its resampling from them; and the sentence that stands
 * in for the pictures says what happened to each digit.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
	DIGIT_PIXELS,
	DIGIT_SIDE,
	affineDistort,
	domainShift,
	parseDigits,
	splitDigits
} from '$lib/model/data/digits';
import { taskOf, SHIFT_TRAINING, SHIFT_VALUES } from '$lib/widgets/shiftLab';
import {
	EXAMPLE_CLASSES,
	EXAMPLE_SEED,
	affineDraw,
	describeDraw,
	describeExamples,
	exampleRows,
	exampleSet,
	shiftExamples
} from '$lib/widgets/shiftDigits';

const all = parseDigits(new Uint8Array(readFileSync('static/data/digits/digits.bin')));
const { test } = splitDigits(all);
const clean = exampleSet(test);
const rows = exampleRows(test);

describe('the digits beside the dial', () => {
	it('are one held-out image of each shown class, the same at every stop', () => {
		expect(rows.map((r) => test.y[r])).toEqual([...EXAMPLE_CLASSES]);
		const ids = (s: number) => shiftExamples(clean, s).map((e) => e.id);
		for (const s of SHIFT_VALUES) expect(ids(s)).toEqual(ids(0));
	});

	it('use the grid’s seed, the one every recorded run’s task was made with', () => {
		expect(EXAMPLE_SEED).toBe(SHIFT_TRAINING.seed);
		expect(taskOf({ kind: 'shift', s: 0.5 })).toEqual({
			kind: 'digits',
			task: 'shift',
			strength: 0.5
		});
	});

	it('have at every stop exactly the pixels the generator gives the held-out split', () => {
		for (const s of SHIFT_VALUES) {
			const whole = domainShift(test, SHIFT_TRAINING.seed, s);
			const shown = shiftExamples(clean, s);
			shown.forEach((e, i) => {
				const r = rows[i];
				expect(e.label).toBe(whole.y[r]);
				expect(e.id).toBe(whole.ids[r]);
				expect(Array.from(e.pixels)).toEqual(
					Array.from(whole.x.subarray(r * DIGIT_PIXELS, (r + 1) * DIGIT_PIXELS))
				);
			});
		}
	});

	it('change as the dial moves, and not at all at no shift', () => {
		const at = (s: number) => shiftExamples(clean, s).map((e) => Array.from(e.pixels));
		expect(at(0)).toEqual(
			Array.from({ length: clean.n }, (_, i) =>
				Array.from(clean.x.subarray(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS))
			)
		);
		for (let k = 1; k < SHIFT_VALUES.length; k++)
			expect(at(SHIFT_VALUES[k])).not.toEqual(at(SHIFT_VALUES[k - 1]));
	});
});

/** affineDistort's inverse map and bilinear resampling, written again from the draws alone. */
function redo(img: Float32Array, rotationDeg: number, dx: number, dy: number, scale: number) {
	const c = (DIGIT_SIDE - 1) / 2;
	const th = (rotationDeg * Math.PI) / 180;
	const at = (x: number, y: number) =>
		x < 0 || y < 0 || x >= DIGIT_SIDE || y >= DIGIT_SIDE ? 0 : img[y * DIGIT_SIDE + x];
	const out = new Float32Array(DIGIT_PIXELS);
	for (let row = 0; row < DIGIT_SIDE; row++)
		for (let col = 0; col < DIGIT_SIDE; col++) {
			// Undo the move, then the scale, then the rotation (the output is R(θ)·s·(p − c) + c + t).
			const ux = (col - c - dx) / scale;
			const uy = (row - c - dy) / scale;
			const sx = Math.cos(th) * ux + Math.sin(th) * uy + c;
			const sy = -Math.sin(th) * ux + Math.cos(th) * uy + c;
			const x0 = Math.floor(sx);
			const y0 = Math.floor(sy);
			const fx = sx - x0;
			const fy = sy - y0;
			const v =
				(1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) +
				fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
			out[row * DIGIT_SIDE + col] = Math.min(1, Math.max(0, v));
		}
	return out;
}

describe('each image’s draws', () => {
	it('are the ones affineDistort used: redoing its resampling from them gives its pixels', () => {
		for (const a of [1 / 3, 2 / 3, 1]) {
			const distorted = affineDistort(clean, EXAMPLE_SEED, a);
			for (let i = 0; i < clean.n; i++) {
				const d = affineDraw(clean.ids[i], a);
				const mine = redo(
					clean.x.subarray(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS),
					d.rotationDeg,
					d.dx,
					d.dy,
					d.scale
				);
				const theirs = distorted.x.subarray(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS);
				for (let p = 0; p < DIGIT_PIXELS; p++) expect(mine[p]).toBeCloseTo(theirs[p], 5);
			}
		}
	});

	it('turn clockwise on screen for a positive angle', () => {
		// One ink pixel right of centre, turned 90° clockwise, lands below the centre.
		const img = new Float32Array(DIGIT_PIXELS);
		img[3 * DIGIT_SIDE + 6] = 1; // row 3, column 6 (centre 3.5, 3.5)
		const out = redo(img, 90, 0, 0, 1);
		let best = 0;
		for (let p = 1; p < DIGIT_PIXELS; p++) if (out[p] > out[best]) best = p;
		const [row, col] = [Math.floor(best / DIGIT_SIDE), best % DIGIT_SIDE];
		expect(row).toBeGreaterThan(4); // below the centre
		expect(col).toBeGreaterThanOrEqual(3);
		expect(col).toBeLessThanOrEqual(4);
	});

	it('grow with the distortion in the same direction', () => {
		const id = clean.ids[0];
		const half = affineDraw(id, 0.5);
		const full = affineDraw(id, 1);
		expect(full.rotationDeg).toBeCloseTo(2 * half.rotationDeg, 10);
		expect(full.dx).toBeCloseTo(2 * half.dx, 10);
		expect(full.scale - 1).toBeCloseTo(2 * (half.scale - 1), 10);
	});
});

describe('the text alternative', () => {
	it('says the digits are clean at no shift', () => {
		expect(describeExamples(shiftExamples(clean, 0), 0)).toBe(
			`Held-out digits ${EXAMPLE_CLASSES.join(', ')} at shift 0.00: clean, as in pretraining.`
		);
	});

	it('names each digit with its own rotation, move and scale, and the pixels scrambled', () => {
		const s = 10 / 12;
		const text = describeExamples(shiftExamples(clean, s), s);
		expect(text).toMatch(/^Held-out digits 2, 3, 4, 5, 7, 9 at shift 0\.83: 2 /);
		for (let i = 0; i < clean.n; i++)
			expect(text).toContain(`${clean.y[i]} ${describeDraw(affineDraw(clean.ids[i], 1))}`);
		// f = 2s − 1 = 2/3 of 64 positions, round(42.7) = 43, all moved by the cycle.
		expect(text).toContain('Then 43 of the 64 pixel positions are scrambled');
		expect(describeExamples(shiftExamples(clean, 0.5), 0.5)).not.toMatch(/scrambled/);
	});

	it('writes a draw in words, leaving out what barely moved', () => {
		expect(describeDraw({ rotationDeg: 12.4, dx: 0.42, dy: -1.06, scale: 1.081 })).toBe(
			'turned 12° clockwise, moved 0.4 px right and 1.1 px up, 8% larger'
		);
		expect(describeDraw({ rotationDeg: -3, dx: 0.01, dy: 0, scale: 0.95 })).toBe(
			'turned 3° anticlockwise, 5% smaller'
		);
		expect(describeDraw({ rotationDeg: 0.2, dx: 0, dy: 0.01, scale: 1.001 })).toBe(
			'barely changed'
		);
	});
});
