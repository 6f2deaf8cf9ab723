/**
 * Lesson 4's instant explorable: the digit mosaic, and Eckart–Young on it. The error the figure
 * prints comes from the singular values alone (sqrt of the tail energy over ‖A‖); here it is
 * checked against the distance of the rank-k copy the figure draws, measured entry by entry, and
 * against other rank-k matrices, none of which may come closer.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRng } from '$lib/math/rng';
import { reconstruct } from '$lib/math/spectrum';
import { svd } from '$lib/math/svd';
import { parseDigits } from '$lib/model/data/digits';
import {
	MOSAIC_SIDE,
	copyStats,
	digitMosaic,
	loraShare,
	relativeDistance
} from '../../../lessons/04-low-rank-updates/lowRankPicture';

const digits = parseDigits(new Uint8Array(readFileSync('static/data/digits/digits.bin')));
const n = MOSAIC_SIDE;
const A = digitMosaic(digits.x);
const dec = svd(A, n, n);

describe('the digit mosaic', () => {
	it('places image t at tile (t / 12, t mod 12), pixel for pixel', () => {
		expect(A.length).toBe(96 * 96);
		for (const t of [0, 1, 11, 12, 77, 143]) {
			const top = Math.floor(t / 12) * 8;
			const left = (t % 12) * 8;
			for (const [r, c] of [
				[0, 0],
				[3, 5],
				[7, 7]
			]) {
				expect(A[(top + r) * 96 + left + c]).toBe(digits.x[t * 64 + r * 8 + c]);
			}
		}
	});

	it('refuses too few images', () => {
		expect(() => digitMosaic(new Float32Array(64 * 143))).toThrow(RangeError);
	});
});

describe('Eckart–Young on the mosaic', () => {
	it('the copy drawn at k is as far from the picture as sqrt of the tail energy says, at every k', () => {
		for (let k = 0; k <= n; k++) {
			const copy = reconstruct(dec, n, n, k);
			const stats = copyStats(dec.S, k, n, n);
			expect(relativeDistance(A, copy)).toBeCloseTo(stats.error, 9);
			expect(stats.error ** 2 + stats.energy).toBeCloseTo(1, 12);
		}
	});

	it('the error falls as k rises, from 1 at k = 0 to about 0 at full rank', () => {
		const errors = Array.from({ length: n + 1 }, (_, k) => copyStats(dec.S, k, n, n).error);
		expect(errors[0]).toBe(1);
		for (let k = 1; k <= n; k++) expect(errors[k]).toBeLessThanOrEqual(errors[k - 1]);
		expect(errors[n]).toBeLessThan(1e-12);
		expect(relativeDistance(A, reconstruct(dec, n, n, n))).toBeLessThan(1e-10);
		// A real picture, not a made-up low-rank one: 8 directions leave a visible error.
		expect(errors[8]).toBeGreaterThan(0.2);
	});

	it('no other rank-k matrix comes closer: perturbed factors and other triplets lose', () => {
		const rng = createRng('eckart-young');
		for (const k of [1, 4, 16]) {
			const best = copyStats(dec.S, k, n, n).error;
			// The same k directions with jittered weights, and k directions that skip the first.
			const jittered = {
				U: dec.U,
				V: dec.V,
				S: Float64Array.from(dec.S, (s, i) => (i < k ? s * (1 + 0.1 * rng.normal()) : s))
			};
			const skipped = {
				U: dec.U,
				V: dec.V,
				S: Float64Array.from(dec.S, (s, i) => (i === 0 ? 0 : s))
			};
			const others = [
				reconstruct(jittered, n, n, k),
				reconstruct(skipped, n, n, k + 1 <= n ? k + 1 : n)
			];
			for (const other of others) expect(relativeDistance(A, other)).toBeGreaterThan(best);
			// A random rank-k matrix projected onto the picture's best scale still loses.
			const B = new Float64Array(n * k).map(() => rng.normal());
			const C = new Float64Array(k * n).map(() => rng.normal());
			const M = new Float64Array(n * n);
			for (let i = 0; i < n; i++)
				for (let t = 0; t < k; t++)
					for (let j = 0; j < n; j++) M[i * n + j] += B[i * k + t] * C[t * n + j];
			let dot = 0;
			let mm = 0;
			for (let i = 0; i < M.length; i++) {
				dot += A[i] * M[i];
				mm += M[i] * M[i];
			}
			const scaled = M.map((v) => (v * dot) / mm);
			expect(relativeDistance(A, scaled)).toBeGreaterThan(best);
		}
	});
});

describe('lesson 4’s prose on the picture', () => {
	const prose = readFileSync('lessons/04-low-rank-updates/index.svx', 'utf8');
	const at = (k: number) => copyStats(dec.S, k, n, n);
	const pct0 = (v: number) => `${Math.round(v * 100)}%`;
	it('quotes the energy, error and rank the mosaic has', () => {
		expect(prose).toContain(
			`The top direction alone keeps ${(at(1).energy * 100).toFixed(1)}% of the picture's energy, yet its copy is a blur with a relative error of ${pct0(at(1).error)}.`
		);
		expect(prose).toContain(
			`Eight directions keep ${pct0(at(8).energy)} and leave ${pct0(at(8).error)}; 24 keep ${pct0(at(24).energy)} and leave ${pct0(at(24).error)}.`
		);
		const rank = Array.from(dec.S).filter((v) => v > 1e-9 * dec.S[0]).length;
		expect(prose).toContain(`The picture has rank ${rank}, not 96`);
		expect(prose).toContain(`from $k = ${rank}$ the copy is exact`);
		let blank = 0;
		for (let c = 0; c < n; c++) {
			let zero = true;
			for (let r = 0; r < n; r++) if (A[r * n + c] !== 0) zero = false;
			if (zero) blank++;
		}
		expect(prose).toContain(`because ${blank} of its 96 columns of pixels are blank`);
		expect(96 - blank).toBe(rank);
	});
	it('quotes the LoRA picture’s count at r = 8', () => {
		const { trainable, share } = loraShare(8, 4096, 4096);
		expect(prose).toContain(
			`$8 \\cdot (4096 + 4096) = 65{,}536$ trainable numbers against 16,777,216, or ${(share * 100).toFixed(2)}%`
		);
		expect(trainable).toBe(65_536);
	});
});

describe('the LoRA picture’s count', () => {
	it('r·(d + k) against d·k: 0.39% at r = 8 on a 4096 × 4096 matrix of Llama 2 7B', () => {
		const { trainable, share } = loraShare(8, 4096, 4096);
		expect(trainable).toBe(65_536);
		expect((share * 100).toFixed(2)).toBe('0.39');
		expect(loraShare(4096, 4096, 4096).share).toBe(2);
	});
});
