import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/lib/math/rng';
import {
	cumulativeEnergy,
	effectiveRank,
	energyCaptured,
	loraSubspaceSimilarity,
	lowRankApproximation,
	rankForEnergy,
	reconstruct,
	stableRank,
	subspaceSimilarityOfBases,
	truncationError
} from '../../../src/lib/math/spectrum';
import { singularValues, svd, transpose } from '../../../src/lib/math/svd';
import { fixture, gaussianMatrix, input } from './svdFixture';

function frobeniusDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
	let s = 0;
	for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
	return Math.sqrt(s);
}

describe('spectrum measures, by hand', () => {
	// σ = (4, 3): ‖A‖²_F = 25.
	const s = [4, 3];

	it('energy captured by the top k', () => {
		expect(energyCaptured(s, 0)).toBe(0);
		expect(energyCaptured(s, 1)).toBeCloseTo(16 / 25, 15);
		expect(energyCaptured(s, 2)).toBe(1);
		expect(Array.from(cumulativeEnergy(s))).toEqual([16 / 25, 1].map((x) => expect.closeTo(x, 15)));
	});

	it('rank for an energy fraction', () => {
		expect(rankForEnergy(s, 0)).toBe(0);
		expect(rankForEnergy(s, 0.64)).toBe(1);
		expect(rankForEnergy(s, 0.65)).toBe(2);
		expect(rankForEnergy(s, 1)).toBe(2);
		expect(rankForEnergy([1, 0, 0], 1)).toBe(1);
	});

	it('stable rank ‖A‖²_F / σ₁²', () => {
		expect(stableRank(s)).toBe(25 / 16);
		expect(stableRank([2, 2, 2, 0])).toBe(3);
		expect(stableRank([7])).toBe(1);
	});

	it('effective rank exp(H(σ / Σσ))', () => {
		const p = [4 / 7, 3 / 7];
		expect(effectiveRank(s)).toBeCloseTo(
			Math.exp(-p[0] * Math.log(p[0]) - p[1] * Math.log(p[1])),
			14
		);
		// r equal singular values and the rest zero: exactly r.
		expect(effectiveRank([2, 2, 2, 0, 0])).toBeCloseTo(3, 14);
		expect(effectiveRank([5])).toBe(1);
	});

	it('truncation error sqrt(Σ_{i>k} σᵢ²)', () => {
		expect(truncationError(s, 0)).toBe(5);
		expect(truncationError(s, 1)).toBe(3);
		expect(truncationError(s, 2)).toBe(0);
	});

	it('answers a zero spectrum without NaN', () => {
		const zero = [0, 0, 0];
		expect(energyCaptured(zero, 1)).toBe(1);
		expect(Array.from(cumulativeEnergy(zero))).toEqual([1, 1, 1]);
		expect(rankForEnergy(zero, 0.9)).toBe(0);
		expect(stableRank(zero)).toBe(0);
		expect(effectiveRank(zero)).toBe(0);
		expect(truncationError(zero, 1)).toBe(0);
		expect(stableRank([])).toBe(0);
	});

	it('rejects spectra that are not one, and bad k', () => {
		expect(() => stableRank([1, 2])).toThrow(/σ2 = 2 exceeds σ1 = 1/);
		expect(() => effectiveRank([1, -1])).toThrow(/σ2 = -1/);
		expect(() => energyCaptured([1, NaN], 1)).toThrow(/NaN/);
		expect(() => energyCaptured(s, 3)).toThrow(/k = 3 is not an integer from 0 to 2/);
		expect(() => truncationError(s, 0.5)).toThrow(/k = 0.5/);
		expect(() => rankForEnergy(s, 1.5)).toThrow(/fraction 1.5/);
	});
});

describe('spectrum measures against numpy', () => {
	it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
		const values = singularValues(input(c), c.rows, c.cols);
		const energy = cumulativeEnergy(values);
		for (let i = 0; i < energy.length; i++) expect(energy[i]).toBeCloseTo(c.energy[i], 12);
		expect(stableRank(values)).toBeCloseTo(c.stableRank, 10);
		// numpy's tail of round-off singular values (≈1e-16·σ₁) moves the entropy by as little.
		expect(effectiveRank(values)).toBeCloseTo(c.effectiveRank, 10);
		const scale = c.S[0] || 1;
		const full = svd(input(c), c.rows, c.cols);
		for (const { k, error } of c.truncation) {
			expect(Math.abs(truncationError(values, k) - error) / scale).toBeLessThan(1e-12);
			// Eckart–Young: the rebuilt A_k misses A by exactly the dropped singular values.
			const ak = reconstruct(full, c.rows, c.cols, k);
			expect(Math.abs(frobeniusDistance(ak, c.a) - error) / scale).toBeLessThan(1e-12);
		}
	});
});

describe('best rank-k approximation', () => {
	const a = gaussianMatrix(12, 8, 11);
	const s = singularValues(a, 12, 8);

	it('has rank k and keeps the top k singular values', () => {
		const a3 = lowRankApproximation(a, 12, 8, 3);
		const s3 = singularValues(a3, 12, 8);
		for (let i = 0; i < 3; i++) expect(s3[i]).toBeCloseTo(s[i], 12);
		for (let i = 3; i < 8; i++) expect(s3[i]).toBeLessThan(1e-13);
		expect(frobeniusDistance(a3, a)).toBeCloseTo(truncationError(s, 3), 12);
	});

	it('is closer to A than other rank-k matrices (Eckart–Young)', () => {
		const best = frobeniusDistance(lowRankApproximation(a, 12, 8, 2), a);
		const rng = createRng(5);
		const r = svd(a, 12, 8);
		for (let trial = 0; trial < 20; trial++) {
			// Perturb the best factors: still rank 2, never closer.
			const U = r.U.map((x) => x + 0.05 * rng.normal());
			const V = r.V.map((x) => x + 0.05 * rng.normal());
			const other = reconstruct({ U, S: r.S, V }, 12, 8, 2);
			expect(frobeniusDistance(other, a)).toBeGreaterThan(best);
		}
	});

	it('is all of A at full rank and zero at rank 0', () => {
		expect(frobeniusDistance(lowRankApproximation(a, 12, 8, 8), a)).toBeLessThan(1e-13);
		expect(Array.from(lowRankApproximation(a, 12, 8, 0)).every((x) => x === 0)).toBe(true);
		expect(() => lowRankApproximation(a, 12, 8, 9)).toThrow(/k = 9/);
		expect(() => reconstruct(svd(a, 12, 8), 8, 12)).toThrow(/do not fit a 8×12/);
	});
});

describe('subspace similarity φ (LoRA §7)', () => {
	const { d, r1, r2, a1, a2, phi } = fixture.adapters;

	it('matches numpy’s grid for two adapters with shared directions', () => {
		const grid = loraSubspaceSimilarity(Float64Array.from(a1), r1, Float64Array.from(a2), r2, d);
		expect(grid).toHaveLength(r1 * r2);
		for (let i = 0; i < grid.length; i++) expect(grid[i]).toBeCloseTo(phi[i], 12);
	});

	it('takes this course’s [in, r] layout as the same directions', () => {
		const paper = loraSubspaceSimilarity(Float64Array.from(a1), r1, Float64Array.from(a2), r2, d);
		const ours = loraSubspaceSimilarity(
			transpose(Float64Array.from(a1), r1, d),
			r1,
			Float32Array.from(transpose(Float64Array.from(a2), r2, d)),
			r2,
			d,
			'input-by-rank'
		);
		for (let i = 0; i < paper.length; i++) expect(ours[i]).toBeCloseTo(paper[i], 6);
	});

	it('is 1 on the diagonal for an adapter against itself, symmetric when swapped', () => {
		const a = gaussianMatrix(6, 20, 3);
		const b = gaussianMatrix(4, 20, 4);
		const self = loraSubspaceSimilarity(a, 6, a, 6, 20);
		for (let i = 0; i < 6; i++) expect(self[i * 6 + i]).toBeCloseTo(1, 12);
		const ab = loraSubspaceSimilarity(a, 6, b, 4, 20);
		const ba = loraSubspaceSimilarity(b, 4, a, 6, 20);
		for (let i = 0; i < 6; i++)
			for (let j = 0; j < 4; j++) {
				expect(ab[i * 4 + j]).toBeCloseTo(ba[j * 6 + i], 12);
				expect(ab[i * 4 + j]).toBeGreaterThanOrEqual(0);
				expect(ab[i * 4 + j]).toBeLessThanOrEqual(1);
			}
	});

	it('is 0 for adapters on orthogonal inputs', () => {
		// A1 reads inputs 0–2 only, A2 inputs 3–5 only.
		const a = new Float64Array(3 * 6);
		const b = new Float64Array(2 * 6);
		[1, 2, 3].forEach((x, i) => (a[i * 6 + i] = x));
		[4, 5].forEach((x, i) => (b[i * 6 + 3 + i] = x));
		expect(Array.from(loraSubspaceSimilarity(a, 3, b, 2, 6))).toEqual(new Array(6).fill(0));
	});

	it('is cos²θ between two lines at angle θ, and the mean of cos² over a plane', () => {
		const t = 0.3;
		const line = subspaceSimilarityOfBases(
			Float64Array.of(1, 0),
			1,
			Float64Array.of(Math.cos(t), Math.sin(t)),
			1,
			2
		);
		expect(line[0]).toBeCloseTo(Math.cos(t) ** 2, 15);
		// U1 = (e1, e2), U2 = (e1, e3) in R³: φ(1,1) = 1, φ(2,1) = 1 (e1 ⊂ span{e1,e2}),
		// φ(1,2) = 1, φ(2,2) = (1 + 0) / 2.
		const U1 = Float64Array.of(1, 0, 0, 1, 0, 0);
		const U2 = Float64Array.of(1, 0, 0, 0, 0, 1);
		expect(Array.from(subspaceSimilarityOfBases(U1, 2, U2, 2, 3))).toEqual([1, 1, 1, 0.5]);
		expect(() => subspaceSimilarityOfBases(U1, 2, U2, 3, 3)).toThrow(/3×2 and 3×3/);
	});

	it('rejects a mismatched adapter with its name', () => {
		expect(() => loraSubspaceSimilarity(new Float64Array(8), 2, new Float64Array(7), 2, 4)).toThrow(
			/A2: 7 values/
		);
	});
});
