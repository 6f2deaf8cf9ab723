import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
	affineDistort,
	DIGIT_CLASS_COUNTS,
	DIGIT_PIXELS,
	DIGIT_SAMPLES,
	DIGIT_TASK_IDS,
	DIGIT_TASKS,
	domainShift,
	domainShiftParts,
	keepClasses,
	labelPermutation,
	parseDigits,
	permutePixels,
	pixelPermutation,
	relabel,
	splitDigits,
	type DigitsSet
} from '../../../../src/lib/model/data/digits';

const bytes = new Uint8Array(readFileSync('static/data/digits/digits.bin'));
const manifest = JSON.parse(readFileSync('static/data/manifest.json', 'utf8'));
const all = parseDigits(bytes);
const { train, test } = splitDigits(all);

const counts = (y: Uint8Array, k = 10) => {
	const c = new Array(k).fill(0);
	for (const v of y) c[v]++;
	return c;
};
const maxAbsDiff = (a: Float32Array, b: Float32Array) => {
	let m = 0;
	for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
	return m;
};
const inUnit = (x: Float32Array) => x.every((v) => v >= 0 && v <= 1);
const snapshot = (d: DigitsSet) => ({ x: d.x.slice(), y: d.y.slice(), ids: d.ids.slice() });

describe('digits.bin and its manifest', () => {
	it('matches the manifest: byte length, sha256, sample count, licence', () => {
		const entry = manifest.digits;
		expect(bytes.length).toBe(entry.byteLength);
		expect(createHash('sha256').update(bytes).digest('hex')).toBe(entry.sha256);
		expect(entry.samples).toBe(DIGIT_SAMPLES);
		expect(entry.licence).toBe('CC BY 4.0');
		expect(entry.source).toMatch(/Alpaydin/);
		expect(bytes.length).toBeLessThan(1_000_000);
	});

	it('parses to 1,797 samples with the known class counts and pixels in [0, 1]', () => {
		expect(all.n).toBe(1797);
		expect(all.x.length).toBe(1797 * 64);
		expect(counts(all.y)).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
		expect(counts(all.y)).toEqual(DIGIT_CLASS_COUNTS);
		expect(inUnit(all.x)).toBe(true);
		// Pixels are counts 0..16: every scaled value is a multiple of 1/16, and both ends occur.
		expect(all.x.every((v) => Number.isInteger(v * 16))).toBe(true);
		expect(Math.max(...all.x)).toBe(1);
		expect(all.ids[1796]).toBe(1796);
	});

	it('reads the first image as the well-known zero', () => {
		// First row of sklearn's digits.csv: a 0.
		const first = [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0];
		expect(Array.from(all.x.subarray(0, 16), (v) => v * 16)).toEqual(first);
		expect(all.y[0]).toBe(0);
		expect(all.y[1]).toBe(1);
	});

	it('rejects bytes of the wrong length or range', () => {
		expect(() => parseDigits(new Uint8Array(64))).toThrow(RangeError);
		const bad = new Uint8Array(65);
		bad[0] = 17;
		expect(() => parseDigits(bad)).toThrow(RangeError);
		const badLabel = new Uint8Array(65);
		badLabel[64] = 10;
		expect(() => parseDigits(badLabel)).toThrow(RangeError);
	});
});

describe('splitDigits', () => {
	it('holds out 20% of each class, disjointly, covering every sample', () => {
		expect(train.n + test.n).toBe(1797);
		const trainCounts = counts(train.y);
		const testCounts = counts(test.y);
		for (let c = 0; c < 10; c++) {
			expect(testCounts[c]).toBe(Math.round(DIGIT_CLASS_COUNTS[c] * 0.2));
			expect(trainCounts[c] + testCounts[c]).toBe(DIGIT_CLASS_COUNTS[c]);
		}
		const ids = new Set([...train.ids, ...test.ids]);
		expect(ids.size).toBe(1797);
	});

	it('is fixed by its seed and keeps rows with their labels', () => {
		const again = splitDigits(all);
		expect(again.test.ids).toEqual(test.ids);
		expect(splitDigits(all, 0.2, 1).test.ids).not.toEqual(test.ids);
		for (let i = 0; i < test.n; i += 37) {
			const id = test.ids[i];
			expect(test.y[i]).toBe(all.y[id]);
			expect(test.x.subarray(i * 64, i * 64 + 64)).toEqual(all.x.subarray(id * 64, id * 64 + 64));
		}
	});
});

describe('transforms', () => {
	const sample = keepClasses(test, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

	it('are the identity at strength 0', () => {
		expect(affineDistort(sample, 1, 0).x).toEqual(sample.x);
		expect(permutePixels(sample, 1, 0).x).toEqual(sample.x);
		expect(relabel(sample, 1, 0).y).toEqual(sample.y);
		expect(domainShift(sample, 1, 0).x).toEqual(sample.x);
		for (const id of DIGIT_TASK_IDS) {
			const task = DIGIT_TASKS[id];
			if (!task.usesStrength) continue;
			const out = task.apply(sample, 5, 0);
			expect(out.x, id).toEqual(sample.x);
			expect(out.y, id).toEqual(sample.y);
		}
	});

	it('never mutate their input and return new arrays', () => {
		const before = snapshot(sample);
		for (const id of DIGIT_TASK_IDS) {
			const out = DIGIT_TASKS[id].apply(sample, 3, 1);
			expect(out.x).not.toBe(sample.x);
			expect(out.y).not.toBe(sample.y);
		}
		expect(snapshot(sample)).toEqual(before);
	});

	it('keep pixels in [0, 1], are seeded-deterministic, and differ between seeds', () => {
		for (const id of DIGIT_TASK_IDS) {
			const task = DIGIT_TASKS[id];
			const a = task.apply(sample, 7, 1);
			expect(inUnit(a.x), id).toBe(true);
			expect(task.apply(sample, 7, 1), id).toEqual(a);
			expect(a.x.length).toBe(a.n * DIGIT_PIXELS);
			if (task.usesStrength) {
				const b = task.apply(sample, 8, 1);
				expect(b.x.some((v, i) => v !== a.x[i]) || b.y.some((v, i) => v !== a.y[i]), id).toBe(true);
			}
		}
	});

	it('distort each image by its id, whichever split or order it is in', () => {
		const a = affineDistort(all, 4, 0.5);
		const b = affineDistort(test, 4, 0.5);
		for (let i = 0; i < test.n; i += 29) {
			const id = test.ids[i];
			expect(b.x.subarray(i * 64, i * 64 + 64)).toEqual(a.x.subarray(id * 64, id * 64 + 64));
		}
	});

	it('distort more as the strength grows', () => {
		const d = (a: number) => maxAbsDiff(affineDistort(sample, 2, a).x, sample.x);
		const mean = (a: number) => {
			const x = affineDistort(sample, 2, a).x;
			let s = 0;
			for (let i = 0; i < x.length; i++) s += Math.abs(x[i] - sample.x[i]);
			return s / x.length;
		};
		expect(d(0.05)).toBeGreaterThan(0);
		expect(mean(0.1)).toBeLessThan(mean(1 / 3));
		expect(mean(1 / 3)).toBeLessThan(mean(1));
	});

	it('roughly keep the ink of the images at small distortion', () => {
		// Bilinear resampling neither creates nor loses much ink while strokes stay in the frame.
		const ink = (x: Float32Array) => x.reduce((s, v) => s + v, 0);
		const r = ink(affineDistort(sample, 9, 0.2).x) / ink(sample.x);
		expect(r).toBeGreaterThan(0.9);
		expect(r).toBeLessThan(1.1);
	});

	it('permute pixels by a nested family of cycles ending in a full 64-cycle', () => {
		const full = pixelPermutation(3, 1);
		expect([...full].sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i));
		expect(full.every((v, i) => v !== i)).toBe(true);
		let p = 0;
		for (let k = 0; k < 64; k++) p = full[p];
		expect(p).toBe(0);
		let prevMoved = new Set<number>();
		for (const f of [0.1, 0.25, 0.5, 0.75, 1]) {
			const map = pixelPermutation(3, f);
			const moved = new Set([...map.keys()].filter((i) => map[i] !== i));
			expect(moved.size).toBe(Math.round(64 * f));
			for (const q of prevMoved) expect(moved.has(q)).toBe(true);
			prevMoved = moved;
		}
		// Permuting keeps each image's multiset of values.
		const out = permutePixels(sample, 3, 1);
		const sorted = (x: Float32Array) => Array.from(x).sort((a, b) => a - b);
		expect(sorted(out.x.subarray(0, 64))).toEqual(sorted(sample.x.subarray(0, 64)));
	});

	it('relabel by a derangement at strength 1, keeping images', () => {
		const map = labelPermutation(6, 1);
		expect([...map].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
		expect(map.every((v, i) => v !== i)).toBe(true);
		const out = relabel(sample, 6, 1);
		expect(out.x).toEqual(sample.x);
		for (let i = 0; i < out.n; i++) expect(out.y[i]).toBe(map[sample.y[i]]);
		const half = labelPermutation(6, 0.5);
		expect(half.filter((v, i) => v !== i).length).toBe(5);
	});

	it('make the domain shift monotone: distortion then permutation', () => {
		expect(domainShiftParts(0)).toEqual({ distortion: 0, permuted: 0 });
		expect(domainShiftParts(0.25)).toEqual({ distortion: 0.5, permuted: 0 });
		expect(domainShiftParts(0.75)).toEqual({ distortion: 1, permuted: 0.5 });
		expect(domainShiftParts(1)).toEqual({ distortion: 1, permuted: 1 });
		expect(domainShift(sample, 2, 0.5).x).toEqual(affineDistort(sample, 2, 1).x);
		expect(domainShift(sample, 2, 1).x).toEqual(permutePixels(affineDistort(sample, 2, 1), 2, 1).x);
		const dist = (s: number) => {
			const x = domainShift(sample, 2, s).x;
			let acc = 0;
			for (let i = 0; i < x.length; i++) acc += Math.abs(x[i] - sample.x[i]);
			return acc;
		};
		const ladder = [0, 0.1, 0.25, 0.5, 0.75, 1].map(dist);
		for (let i = 1; i < ladder.length; i++) expect(ladder[i]).toBeGreaterThan(ladder[i - 1]);
		expect(() => domainShift(sample, 2, 1.5)).toThrow(RangeError);
	});
});

describe('DIGIT_TASKS', () => {
	it('lists every task once, with labels inside its label space', () => {
		expect(new Set(DIGIT_TASK_IDS).size).toBe(Object.keys(DIGIT_TASKS).length);
		for (const id of DIGIT_TASK_IDS) {
			const task = DIGIT_TASKS[id];
			expect(task.id).toBe(id);
			expect(task.labelNames.length).toBe(task.numClasses);
			expect(task.base === null).toBe(task.pretrains !== null);
			const out = task.apply(train, 1, task.defaultStrength);
			expect(Math.max(...out.y)).toBe(task.numClasses - 1);
			expect(counts(out.y, task.numClasses).every((c) => c > 100)).toBe(true);
		}
	});

	it('pretrains the five-class base on 0–4 and asks it for 5–9', () => {
		const low = DIGIT_TASKS['pretrain-0to4'].apply(train, 1);
		const high = DIGIT_TASKS['new-classes'].apply(train, 1);
		expect(low.n + high.n).toBe(train.n);
		expect([...low.ids].every((id) => all.y[id] <= 4)).toBe(true);
		expect([...high.ids].every((id) => all.y[id] >= 5)).toBe(true);
		for (let i = 0; i < high.n; i += 17) expect(high.y[i]).toBe(all.y[high.ids[i]] - 5);
		expect(DIGIT_TASKS['new-classes'].base).toBe('digits5');
		expect(DIGIT_TASKS['new-classes'].labelNames).toEqual(['5', '6', '7', '8', '9']);
	});
});
