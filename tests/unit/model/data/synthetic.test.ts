import { describe, expect, it } from 'vitest';
import { makeTeacherStudent } from '../../../../src/lib/model/data/synthetic';

/** Numerical rank of a row-major [rows, cols] matrix: Gram–Schmidt on its columns, in float64. */
function numericalRank(m: Float32Array, rows: number, cols: number, relTol = 1e-4): number {
	const basis: Float64Array[] = [];
	let scale = 0;
	for (const v of m) scale = Math.max(scale, Math.abs(v));
	for (let j = 0; j < cols; j++) {
		const c = new Float64Array(rows);
		for (let i = 0; i < rows; i++) c[i] = m[i * cols + j];
		for (let pass = 0; pass < 2; pass++) {
			for (const q of basis) {
				let dot = 0;
				for (let i = 0; i < rows; i++) dot += q[i] * c[i];
				for (let i = 0; i < rows; i++) c[i] -= dot * q[i];
			}
		}
		const norm = Math.sqrt(c.reduce((s, v) => s + v * v, 0));
		if (norm > relTol * scale * Math.sqrt(rows)) basis.push(c.map((v) => v / norm));
	}
	return basis.length;
}

const frob = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));

describe('makeTeacherStudent', () => {
	const dIn = 24;
	const dOut = 16;

	it.each([0, 1, 2, 4, 8, 16])('plants an update of exactly rank %i', (rank) => {
		const t = makeTeacherStudent({ dIn, dOut, rank, relNorm: 0.3, nTrain: 8, seed: 1 });
		expect(numericalRank(t.deltaW, dOut, dIn)).toBe(rank);
		if (rank > 0) expect(frob(t.deltaW) / frob(t.W0)).toBeCloseTo(0.3, 5);
	});

	it('gives the requested relative size for flat and decaying spectra', () => {
		for (const spectrum of ['flat', 'decaying'] as const) {
			for (const relNorm of [0.05, 0.5, 2]) {
				const t = makeTeacherStudent({ dIn, dOut, rank: 5, relNorm, nTrain: 4, spectrum, seed: 2 });
				expect(frob(t.deltaW) / frob(t.W0)).toBeCloseTo(relNorm, 5);
				expect(Math.hypot(...t.s)).toBeCloseTo(relNorm * frob(t.W0), 4);
			}
		}
		const d = makeTeacherStudent({
			dIn,
			dOut,
			rank: 3,
			relNorm: 1,
			nTrain: 4,
			spectrum: 'decaying',
			seed: 2
		});
		expect(d.s[0] / d.s[1]).toBeCloseTo(2, 5);
		expect(d.s[1] / d.s[2]).toBeCloseTo(2, 5);
	});

	it('factors the update as U·diag(s)·Vᵀ with orthonormal U and V', () => {
		const r = 4;
		const t = makeTeacherStudent({ dIn, dOut, rank: r, relNorm: 0.4, nTrain: 4, seed: 3 });
		const gram = (M: Float32Array, d: number) =>
			Array.from({ length: r * r }, (_, k) => {
				const [a, b] = [Math.floor(k / r), k % r];
				let s = 0;
				for (let i = 0; i < d; i++) s += M[i * r + a] * M[i * r + b];
				return s;
			});
		gram(t.U, dOut).forEach((v, k) => expect(v).toBeCloseTo(k % (r + 1) === 0 ? 1 : 0, 5));
		gram(t.V, dIn).forEach((v, k) => expect(v).toBeCloseTo(k % (r + 1) === 0 ? 1 : 0, 5));
		for (let i = 0; i < dOut; i++) {
			for (let j = 0; j < dIn; j++) {
				let acc = 0;
				for (let k = 0; k < r; k++) acc += t.U[i * r + k] * t.s[k] * t.V[j * r + k];
				expect(t.deltaW[i * dIn + j]).toBeCloseTo(acc, 5);
				expect(t.W1[i * dIn + j]).toBeCloseTo(t.W0[i * dIn + j] + acc, 5);
			}
		}
	});

	it('keeps W0 and the inputs fixed across ranks, and nests the singular vectors', () => {
		const a = makeTeacherStudent({ dIn, dOut, rank: 2, relNorm: 0.2, nTrain: 10, seed: 4 });
		const b = makeTeacherStudent({ dIn, dOut, rank: 6, relNorm: 0.9, nTrain: 10, seed: 4 });
		expect(b.W0).toEqual(a.W0);
		expect(b.base.train.x).toEqual(a.base.train.x);
		expect(b.fineTune.train.x).toEqual(a.fineTune.train.x);
		expect(b.base.train.y).toEqual(a.base.train.y);
		for (let i = 0; i < dOut; i++) {
			for (let k = 0; k < 2; k++) expect(b.U[i * 6 + k]).toBeCloseTo(a.U[i * 2 + k], 6);
		}
		const c = makeTeacherStudent({ dIn, dOut, rank: 2, relNorm: 0.2, nTrain: 10, seed: 5 });
		expect(c.W0).not.toEqual(a.W0);
	});

	it('labels regression data with W0 and W1, and noise perturbs only the targets', () => {
		const options = { dIn, dOut, rank: 3, relNorm: 0.5, nTrain: 50, nTest: 20, seed: 6 };
		const t = makeTeacherStudent(options);
		expect(t.base.train.n).toBe(50);
		expect(t.fineTune.test.n).toBe(20);
		expect(t.base.train.labels).toBeNull();
		const check = (W: Float32Array, s: { x: Float32Array; y: Float32Array; n: number }) => {
			for (let n = 0; n < s.n; n += 7) {
				for (let i = 0; i < dOut; i++) {
					let acc = 0;
					for (let j = 0; j < dIn; j++) acc += W[i * dIn + j] * s.x[n * dIn + j];
					expect(s.y[n * dOut + i]).toBeCloseTo(acc, 4);
				}
			}
		};
		check(t.W0, t.base.train);
		check(t.W1, t.fineTune.train);
		check(t.W1, t.fineTune.test);
		// x ~ N(0, I) and W0 ~ N(0, 1/dIn): targets have unit variance on average.
		const y = t.base.train.y;
		expect(y.reduce((s, v) => s + v * v, 0) / y.length).toBeGreaterThan(0.6);
		expect(y.reduce((s, v) => s + v * v, 0) / y.length).toBeLessThan(1.5);

		const noisy = makeTeacherStudent({ ...options, noise: 0.1 });
		expect(noisy.base.train.x).toEqual(t.base.train.x);
		const diff = noisy.base.train.y.map((v, i) => v - t.base.train.y[i]);
		const std = Math.sqrt(diff.reduce((s, v) => s + v * v, 0) / diff.length);
		expect(std).toBeGreaterThan(0.08);
		expect(std).toBeLessThan(0.12);
	});

	it('labels classes by argmax, and a bigger update changes more labels', () => {
		const opts = {
			dIn: 32,
			dOut: 10,
			rank: 2,
			nTrain: 400,
			nTest: 2000,
			kind: 'classification',
			seed: 7
		} as const;
		const small = makeTeacherStudent({ ...opts, relNorm: 0.05 });
		const large = makeTeacherStudent({ ...opts, relNorm: 1 });
		const labels = small.fineTune.train.labels as Int32Array;
		expect(labels).toBeInstanceOf(Int32Array);
		for (let n = 0; n < 20; n++) {
			const logits = small.fineTune.train.y.subarray(n * 10, n * 10 + 10);
			expect(labels[n]).toBe(logits.indexOf(Math.max(...logits)));
		}
		expect(new Set(labels).size).toBe(10);
		expect(small.labelsChanged).toBeGreaterThan(0);
		expect(small.labelsChanged).toBeLessThan(large.labelsChanged);
		expect(large.labelsChanged).toBeGreaterThan(0.3);
	});

	it('rejects impossible ranks and sizes', () => {
		const base = { dIn: 4, dOut: 3, relNorm: 0.1, nTrain: 2, seed: 1 };
		expect(() => makeTeacherStudent({ ...base, rank: 4 })).toThrow(RangeError);
		expect(() => makeTeacherStudent({ ...base, rank: 1.5 })).toThrow(RangeError);
		expect(() => makeTeacherStudent({ ...base, rank: 1, relNorm: -1 })).toThrow(RangeError);
	});
});
