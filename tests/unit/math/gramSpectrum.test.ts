import { describe, expect, it } from 'vitest';
import {
	GRAM_FLOOR,
	gramLower,
	singularValuesFast,
	tridiagonalEigenvalues,
	tridiagonalize
} from '../../../src/lib/math/gramSpectrum';
import { singularValues, singularValuesStable, transpose } from '../../../src/lib/math/svd';
import { createRng } from '../../../src/lib/math/rng';
import { fixture, gaussianMatrix, input } from './svdFixture';

/** Largest |got − want| over want[0] (absolute where it is 0). */
function spectrumError(got: ArrayLike<number>, want: ArrayLike<number>): number {
	const scale = want[0] || 1;
	let worst = 0;
	for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
	return worst;
}

/** A rows×cols matrix U·diag(s)·Vᵀ with seeded orthonormal U and V (QR of Gaussians by Gram–Schmidt). */
function withSpectrum(rows: number, cols: number, s: number[], seed: number): Float64Array {
	const orth = (n: number, k: number, rngSeed: number) => {
		const q = gaussianMatrix(k, n, rngSeed); // k vectors of length n, as rows
		for (let i = 0; i < k; i++) {
			for (let pass = 0; pass < 2; pass++)
				for (let j = 0; j < i; j++) {
					let dot = 0;
					for (let t = 0; t < n; t++) dot += q[i * n + t] * q[j * n + t];
					for (let t = 0; t < n; t++) q[i * n + t] -= dot * q[j * n + t];
				}
			let norm = 0;
			for (let t = 0; t < n; t++) norm += q[i * n + t] ** 2;
			norm = Math.sqrt(norm);
			for (let t = 0; t < n; t++) q[i * n + t] /= norm;
		}
		return q;
	};
	const k = s.length;
	const u = orth(rows, k, seed);
	const v = orth(cols, k, seed + 1);
	const a = new Float64Array(rows * cols);
	for (let t = 0; t < k; t++)
		for (let i = 0; i < rows; i++) {
			const f = u[t * rows + i] * s[t];
			for (let j = 0; j < cols; j++) a[i * cols + j] += f * v[t * cols + j];
		}
	return a;
}

describe('the Gram route against LAPACK', () => {
	const routes = { fast: 0, fallback: 0 };
	it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
		const k = Math.min(c.rows, c.cols);
		const { S, belowFloor } = singularValuesFast(input(c), c.rows, c.cols);
		expect(S).toHaveLength(k);
		if (k === 0) return;
		const smallest = c.S[k - 1] / (c.S[0] || 1);
		// The floor is read off the computed values: it must flag every matrix whose smallest
		// value is really under it, and leave alone those clearly above it.
		if (smallest < GRAM_FLOOR / 2) expect(belowFloor).toBe(true);
		if (smallest > GRAM_FLOOR * 2) expect(belowFloor).toBe(false);
		if (belowFloor) {
			routes.fallback++;
			// Even here the Gram estimate is within √(n·ε)·σ₁ (the reason for the floor).
			expect(spectrumError(S, c.S)).toBeLessThan(1e-6);
		} else {
			routes.fast++;
			expect(spectrumError(S, c.S)).toBeLessThan(1e-9);
		}
		for (let i = 1; i < k; i++) expect(S[i]).toBeLessThanOrEqual(S[i - 1]);
	});

	it('saw matrices on both sides of the floor', () => {
		expect(routes.fast).toBeGreaterThan(3);
		expect(routes.fallback).toBeGreaterThan(3);
	});
});

describe('singularValues picks the route', () => {
	it('takes the Gram route on a well-conditioned matrix and matches the bidiagonal route', () => {
		for (const [rows, cols] of [
			[256, 256],
			[64, 200],
			[200, 64],
			[17, 23],
			[18, 18],
			[19, 40],
			[41, 19]
		]) {
			const a = gaussianMatrix(rows, cols, rows * 7 + cols);
			const fast = singularValuesFast(a, rows, cols);
			const stable = singularValuesStable(a, rows, cols);
			expect(fast.belowFloor).toBe(false);
			expect(spectrumError(fast.S, stable)).toBeLessThan(1e-11);
			expect(spectrumError(singularValues(a, rows, cols), stable)).toBeLessThan(1e-11);
		}
	});

	it('falls back to the bidiagonal route for an exactly low-rank matrix (a LoRA-like product)', () => {
		const a = withSpectrum(64, 96, [5, 3, 2, 1, 0.5], 11);
		const fast = singularValuesFast(a, 64, 96);
		expect(fast.belowFloor).toBe(true);
		// The Gram estimate of the zero values is around √(n·ε)·σ₁, far above what the
		// bidiagonal route gives: the reason the caller recomputes.
		const values = singularValues(a, 64, 96);
		expect(spectrumError(values.slice(0, 5), [5, 3, 2, 1, 0.5])).toBeLessThan(1e-13);
		expect(Math.max(...values.slice(5))).toBeLessThan(1e-13 * 5);
		expect(Math.max(...fast.S.slice(5))).toBeGreaterThan(Math.max(...values.slice(5)));
	});

	it('keeps a planted spectrum just above the floor to 1e-9 of σ₁, and within 1e-4 of each value', () => {
		const s = Array.from({ length: 48 }, (_, i) => 10 ** (-4 * (i / 47)) * 1.5);
		s[47] = 1.5 * GRAM_FLOOR * 1.5;
		s.sort((x, y) => y - x);
		const a = withSpectrum(48, 48, s, 3);
		const fast = singularValuesFast(a, 48, 48);
		expect(fast.belowFloor).toBe(false);
		expect(spectrumError(fast.S, s)).toBeLessThan(1e-9);
		for (let i = 0; i < 48; i++) expect(Math.abs(fast.S[i] - s[i]) / s[i]).toBeLessThan(1e-4);
	});

	it('gives a matrix and its transpose the same values, Float32 input included', () => {
		const a = gaussianMatrix(37, 70, 5);
		const t = transpose(a, 37, 70);
		const one = singularValuesFast(a, 37, 70).S;
		expect(spectrumError(singularValuesFast(t, 70, 37).S, one)).toBeLessThan(1e-13);
		const f32 = Float32Array.from(a);
		const stable = singularValuesStable(f32, 37, 70);
		expect(spectrumError(singularValuesFast(f32, 37, 70).S, stable)).toBeLessThan(1e-12);
	});

	it('reuses its scratch space without results leaking between calls', () => {
		const big = gaussianMatrix(120, 130, 1);
		const small = gaussianMatrix(20, 21, 2);
		const first = singularValues(big, 120, 130);
		const firstCopy = Float64Array.from(first);
		const smallValues = singularValues(small, 20, 21);
		const again = singularValues(big, 120, 130);
		expect(Array.from(again)).toEqual(Array.from(firstCopy));
		// Results are the caller's: neither was overwritten by the later calls.
		expect(Array.from(first)).toEqual(Array.from(firstCopy));
		expect(spectrumError(smallValues, singularValuesStable(small, 20, 21))).toBeLessThan(1e-12);
		// A rank-deficient call in between (which takes the fallback, reusing slot 0) changes nothing.
		singularValues(withSpectrum(120, 130, [1, 2], 9), 120, 130);
		expect(Array.from(singularValues(big, 120, 130))).toEqual(Array.from(firstCopy));
	});

	it('returns zeros for a zero matrix and nothing for an empty one', () => {
		expect(Array.from(singularValues(new Float64Array(40 * 30), 40, 30))).toEqual(
			new Array(30).fill(0)
		);
		expect(singularValuesFast(new Float64Array(0), 0, 5).S).toHaveLength(0);
	});
});

describe('the Gram route’s parts', () => {
	it('forms the lower triangle of B·Bᵀ for sizes that are and are not multiples of four', () => {
		for (const [n, m] of [
			[8, 5],
			[9, 4],
			[11, 13],
			[1, 3]
		]) {
			const b = gaussianMatrix(n, m, n + m);
			const g = new Float64Array(n * n);
			gramLower(b, n, m, g);
			for (let i = 0; i < n; i++)
				for (let j = 0; j <= i; j++) {
					let dot = 0;
					for (let t = 0; t < m; t++) dot += b[i * m + t] * b[j * m + t];
					expect(g[i * n + j]).toBeCloseTo(dot, 12);
				}
		}
	});

	it('finds the eigenvalues of the second-difference matrix exactly: 2 − 2cos(kπ/(n+1))', () => {
		const n = 50;
		const d = new Float64Array(n).fill(2);
		const e = new Float64Array(n).fill(-1);
		tridiagonalEigenvalues(d, e, n);
		const got = Array.from(d).sort((x, y) => x - y);
		for (let k = 1; k <= n; k++)
			expect(Math.abs(got[k - 1] - (2 - 2 * Math.cos((k * Math.PI) / (n + 1))))).toBeLessThan(
				1e-13
			);
	});

	it('tridiagonalises a symmetric matrix without moving its eigenvalues or its trace', () => {
		const n = 23;
		const rng = createRng('tridiagonal');
		// A symmetric matrix with planted eigenvalues: Q·diag(λ)·Qᵀ from a seeded spectrum.
		const lambda = Array.from({ length: n }, () => rng.normal() * 3);
		const q = withSpectrum(n, n, new Array(n).fill(1), 21); // orthogonal
		const g = new Float64Array(n * n);
		for (let i = 0; i < n; i++)
			for (let j = 0; j < n; j++) {
				let x = 0;
				for (let t = 0; t < n; t++) x += q[i * n + t] * lambda[t] * q[j * n + t];
				g[i * n + j] = x;
			}
		const trace = lambda.reduce((s, x) => s + x, 0);
		const d = new Float64Array(n);
		const e = new Float64Array(n);
		tridiagonalize(g, n, d, e);
		expect(Math.abs(d.reduce((s, x) => s + x, 0) - trace)).toBeLessThan(1e-12);
		tridiagonalEigenvalues(d, e, n);
		const got = Array.from(d).sort((x, y) => x - y);
		const want = [...lambda].sort((x, y) => x - y);
		for (let i = 0; i < n; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-12);
	});
});
