import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/lib/math/rng';
import { singularValues, svd, transpose, type Svd } from '../../../src/lib/math/svd';
import { fixture, gaussianMatrix, input } from './svdFixture';

/** Largest |got − want| over σ₁ (absolute where σ₁ = 0): the accuracy the toolkit promises. */
function spectrumError(got: ArrayLike<number>, want: ArrayLike<number>): number {
	const scale = want[0] || 1;
	let worst = 0;
	for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
	return worst;
}

/** Largest |(XᵀX − I)ᵢⱼ| of an n×k matrix X with (supposedly) orthonormal columns. */
function orthonormalityError(x: Float64Array, n: number, k: number): number {
	let worst = 0;
	for (let a = 0; a < k; a++)
		for (let b = 0; b < k; b++) {
			let dot = 0;
			for (let t = 0; t < n; t++) dot += x[t * k + a] * x[t * k + b];
			worst = Math.max(worst, Math.abs(dot - (a === b ? 1 : 0)));
		}
	return worst;
}

/** max |U·diag(S)·Vᵀ − A| relative to σ₁ (absolute where σ₁ = 0). */
function reconstructionError(a: ArrayLike<number>, rows: number, cols: number, r: Svd): number {
	const k = r.S.length;
	const scale = r.S[0] || 1;
	let worst = 0;
	for (let i = 0; i < rows; i++)
		for (let j = 0; j < cols; j++) {
			let x = 0;
			for (let t = 0; t < k; t++) x += r.U[i * k + t] * r.S[t] * r.V[j * k + t];
			worst = Math.max(worst, Math.abs(x - a[i * cols + j]) / scale);
		}
	return worst;
}

describe('singularValues and svd against LAPACK', () => {
	const worstByKind = new Map<string, number>();
	it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
		const a = input(c);
		const k = Math.min(c.rows, c.cols);
		const values = singularValues(a, c.rows, c.cols);
		const full = svd(a, c.rows, c.cols);
		expect(values).toHaveLength(k);
		expect(full.S).toHaveLength(k);
		expect(full.U).toHaveLength(c.rows * k);
		expect(full.V).toHaveLength(c.cols * k);
		const err = Math.max(spectrumError(values, c.S), spectrumError(full.S, c.S));
		worstByKind.set(c.kind, Math.max(worstByKind.get(c.kind) ?? 0, err));
		// The promise is 1e-6 of σ₁; backward stability gives far better, and less would be a bug.
		expect(err).toBeLessThan(1e-12);
		for (let i = 1; i < k; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
		expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
		expect(orthonormalityError(full.U, c.rows, k)).toBeLessThan(1e-12);
		expect(orthonormalityError(full.V, c.cols, k)).toBeLessThan(1e-12);
		expect(reconstructionError(a, c.rows, c.cols, full)).toBeLessThan(1e-12);
	});

	it('covers every class of matrix the toolkit promises', () => {
		expect([...worstByKind.keys()].sort()).toEqual([
			'clustered',
			'ill-conditioned',
			'low-rank',
			'random',
			'rectangular',
			'scaled',
			'vector',
			'zero'
		]);
	});
});

describe('svd on seeded matrices', () => {
	it.each([
		[64, 64],
		[80, 31],
		[31, 80],
		[2, 2],
		[3, 1]
	])('%i×%i: orthonormal U and V that rebuild A', (rows, cols) => {
		const a = gaussianMatrix(rows, cols, rows * 1000 + cols);
		const r = svd(a, rows, cols);
		const k = Math.min(rows, cols);
		expect(orthonormalityError(r.U, rows, k)).toBeLessThan(1e-12);
		expect(orthonormalityError(r.V, cols, k)).toBeLessThan(1e-12);
		expect(reconstructionError(a, rows, cols, r)).toBeLessThan(1e-12);
		expect(spectrumError(singularValues(a, rows, cols), r.S)).toBeLessThan(1e-13);
	});

	it('gives a matrix and its transpose the same singular values, with U and V swapped', () => {
		const a = gaussianMatrix(9, 5, 7);
		const r = svd(a, 9, 5);
		const t = svd(transpose(a, 9, 5), 5, 9);
		expect(spectrumError(t.S, r.S)).toBeLessThan(1e-14);
		// Singular vectors are unique up to sign for distinct singular values.
		for (let c = 0; c < 5; c++) {
			const sign = Math.sign(r.U[c]) * Math.sign(t.V[c]);
			for (let i = 0; i < 9; i++) expect(t.V[i * 5 + c] * sign).toBeCloseTo(r.U[i * 5 + c], 12);
		}
	});

	it('finds a diagonal matrix’s values sorted and signs moved into V', () => {
		const a = Float64Array.of(2, 0, 0, 0, -5, 0, 0, 0, 3);
		const r = svd(a, 3, 3);
		expect(Array.from(r.S)).toEqual([5, 3, 2]);
		expect(reconstructionError(a, 3, 3, r)).toBeLessThan(1e-15);
	});

	it('handles exact zeros on the bidiagonal (a zero row and a zero column)', () => {
		const a = Float64Array.of(1, 2, 0, 3, 0, 0, 0, 0, 4, 5, 0, 6, 7, 8, 0, 9);
		for (const m of [a, transpose(a, 4, 4)]) {
			const r = svd(m, 4, 4);
			expect(r.S[3]).toBeLessThan(1e-14);
			expect(orthonormalityError(r.U, 4, 4)).toBeLessThan(1e-13);
			expect(orthonormalityError(r.V, 4, 4)).toBeLessThan(1e-13);
			expect(reconstructionError(m, 4, 4, r)).toBeLessThan(1e-14);
		}
	});

	it('returns orthonormal vectors for a zero matrix and empty results for an empty one', () => {
		const r = svd(new Float64Array(6), 2, 3);
		expect(Array.from(r.S)).toEqual([0, 0]);
		expect(orthonormalityError(r.U, 2, 2)).toBe(0);
		expect(orthonormalityError(r.V, 3, 2)).toBe(0);
		const empty = svd(new Float64Array(0), 0, 4);
		expect([empty.U.length, empty.S.length, empty.V.length]).toEqual([0, 0, 0]);
		expect(singularValues(new Float64Array(0), 3, 0)).toHaveLength(0);
	});

	it('gives a single row or column its norm, with unit singular vectors', () => {
		const row = svd(Float64Array.of(3, 4), 1, 2);
		expect(row.S[0]).toBeCloseTo(5, 14);
		expect(Math.abs(row.U[0])).toBe(1);
		expect(Array.from(row.V).map((x) => x * row.U[0])).toEqual(
			[0.6, 0.8].map((x) => expect.closeTo(x, 14))
		);
		expect(singularValues(Float32Array.of(-2), 1, 1)[0]).toBe(2);
	});

	it('converges on structured matrices whose bidiagonal decays to underflow', () => {
		// All ones: rank 1 with σ₁ = √(48·32); the rounding left below it shrinks geometrically
		// through the subnormal range, which once made the reflectors overflow.
		const ones = new Float64Array(48 * 32).fill(1);
		const r = svd(ones, 48, 32);
		expect(r.S[0]).toBeCloseTo(Math.sqrt(48 * 32), 12);
		expect(r.S[1]).toBeLessThan(1e-13);
		expect(reconstructionError(ones, 48, 32, r)).toBeLessThan(1e-14);
		expect(orthonormalityError(r.U, 48, 32)).toBeLessThan(1e-13);
		expect(orthonormalityError(r.V, 32, 32)).toBeLessThan(1e-13);
		const identity = new Float64Array(30 * 30).map((_, i) => (i % 31 === 0 ? 1 : 0));
		expect(Array.from(singularValues(identity, 30, 30))).toEqual(new Array(30).fill(1));
	});

	it('rebuilds sparse, repeated-row and graded matrices with orthonormal factors', () => {
		const rng = createRng('structured');
		for (let trial = 0; trial < 30; trial++) {
			const rows = 1 + rng.int(40);
			const cols = 1 + rng.int(40);
			const a = new Float64Array(rows * cols);
			for (let i = 0; i < a.length; i++) {
				if (trial % 3 === 0) a[i] = rng.uniform() < 0.8 ? 0 : rng.int(5) - 2;
				else if (trial % 3 === 1) a[i] = (rng.uniform() - 0.5) * 10 ** (rng.int(30) - 15);
				else a[i] = rng.normal();
			}
			if (trial % 3 === 2 && rows > 1) a.copyWithin(cols, 0, cols);
			const r = svd(a, rows, cols);
			const k = Math.min(rows, cols);
			expect(reconstructionError(a, rows, cols, r)).toBeLessThan(1e-13);
			expect(orthonormalityError(r.U, rows, k)).toBeLessThan(1e-13);
			expect(orthonormalityError(r.V, cols, k)).toBeLessThan(1e-13);
			expect(spectrumError(singularValues(a, rows, cols), r.S)).toBeLessThan(1e-14);
		}
	});

	it('does not modify its input', () => {
		const a = gaussianMatrix(6, 4, 3);
		const copy = a.slice();
		svd(a, 6, 4);
		singularValues(a, 6, 4);
		expect(a).toEqual(copy);
	});
});

describe('input checks', () => {
	it.each([
		[Float64Array.of(1, NaN, 3, 4), 2, 2, /NaN at row 0, column 1/],
		[Float32Array.of(1, 2, Infinity, 4), 2, 2, /Infinity at row 1, column 0/],
		[Float64Array.of(1, 2, 3), 2, 2, /3 values do not fill a 2×2 matrix/],
		[Float64Array.of(1, 2), -1, -2, /not two non-negative integers/],
		[Float64Array.of(1, 2), 1.5, 2, /not two non-negative integers/]
	])('rejects %o as %i×%i', (a, rows, cols, message) => {
		expect(() => singularValues(a, rows, cols)).toThrow(message);
		expect(() => svd(a, rows, cols)).toThrow(message);
	});

	it('rejects plain arrays', () => {
		expect(() => svd([1, 2] as unknown as Float64Array, 1, 2)).toThrow(/Float64Array/);
	});
});
