/**
 * Singular values through the Gram matrix: the σᵢ² of an m×n matrix A (m ≥ n) are the
 * eigenvalues of the n×n symmetric G = AᵀA. Forming G, reducing it to tridiagonal form and
 * finding that tridiagonal's eigenvalues costs about 7n³/6 multiply-adds for a square A, against
 * 4n³/3 for the Golub–Kahan bidiagonalisation in `svd.ts`; and G's product is the cheapest kind of
 * arithmetic there is in JavaScript (long dot products of contiguous rows, sixteen at a time), so
 * for the lessons' 128×128 and 256×256 weight updates this route takes about two thirds of the
 * bidiagonal route's time.
 *
 * It is less accurate for small singular values: squaring A squares its condition number, and an
 * eigenvalue of G is only known to within about n·ε·σ₁², so a σ near zero comes out as roughly
 * √(n·ε)·σ₁ ≈ 2·10⁻⁷·σ₁ instead of zero. `singularValuesFast` therefore reports, beside the
 * values, whether any of them is below `GRAM_FLOOR`·σ₁, where that error could show; the caller
 * (`singularValues` in `svd.ts`) then recomputes them with the backward-stable bidiagonal route.
 * Above the floor each value is within about n·ε·σ₁/(2·GRAM_FLOOR) ≈ 3·10⁻¹⁰·σ₁ of the exact one
 * (Golub & Van Loan, Matrix Computations, 4th ed., §8.6.1 and §8.3).
 */

import type { MatrixData } from './svd';
import { workspace } from './workspace';

/**
 * The smallest σ/σ₁ the Gram route reports itself; below it, the caller recomputes. At 10⁻⁴ the
 * Gram route's error stays near 10⁻⁹ of σ₁ and a few parts per million of each value shown on a
 * log axis. Updates from full fine-tuning sit far above it (their smallest σ is 10⁻³–10⁻² of the
 * largest); exactly low-rank matrices, such as a LoRA product B·A, fall below and take the
 * bidiagonal route.
 */
export const GRAM_FLOOR = 1e-4;

const EPS = 2 ** -52;

export interface GramSpectrum {
	/** σ₁ ≥ … ≥ σ_k ≥ 0, k = min(rows, cols). */
	S: Float64Array;
	/** Whether the smallest value is under `GRAM_FLOOR`·σ₁ (or the matrix is zero), where the route is not accurate enough. */
	belowFloor: boolean;
}

/**
 * The singular values of a rows×cols matrix through its Gram matrix, largest first, with
 * `belowFloor` set where the caller should not trust the small ones. The input must already be
 * checked finite (as `checkMatrix` does).
 */
export function singularValuesFast(a: MatrixData, rows: number, cols: number): GramSpectrum {
	const n = Math.min(rows, cols);
	const m = Math.max(rows, cols);
	const S = new Float64Array(n);
	if (n === 0) return { S, belowFloor: false };
	// B is n×m with A's shorter side as rows: A itself when wide, Aᵀ when tall, so that
	// G = B·Bᵀ is n×n and made of dot products of contiguous rows. Scaling by the largest entry
	// keeps G's entries at most m, far from overflow and underflow.
	let scale = 0;
	for (let i = 0; i < a.length; i++) {
		const x = Math.abs(a[i]);
		if (x > scale) scale = x;
	}
	if (scale === 0) return { S, belowFloor: true };
	const inv = 1 / scale;
	const b = workspace(0, n * m);
	if (rows <= cols) for (let i = 0; i < b.length; i++) b[i] = a[i] * inv;
	else
		for (let i = 0; i < rows; i++) {
			const o = i * cols;
			for (let j = 0; j < cols; j++) b[j * m + i] = a[o + j] * inv;
		}
	const g = workspace(1, n * n);
	gramLower(b, n, m, g);
	const d = new Float64Array(n);
	const e = new Float64Array(n);
	tridiagonalize(g, n, d, e);
	tridiagonalEigenvalues(d, e, n);
	for (let i = 0; i < n; i++) S[i] = Math.sqrt(Math.max(d[i], 0));
	S.sort().reverse();
	const belowFloor = !(S[n - 1] >= GRAM_FLOOR * S[0]);
	for (let i = 0; i < n; i++) S[i] *= scale;
	return { S, belowFloor };
}

/**
 * The lower triangle (diagonal included) of G = B·Bᵀ for the n×m row-major B, into the n×n
 * row-major g (whose upper triangle is left as it was, but for the tiles on the diagonal). 4×4 tiles of G at a time: each pass over four rows of B against four others loads
 * eight numbers for sixteen multiply-adds, in sixteen independent sums. Tiles on the diagonal
 * are computed whole (their few upper entries are written too, and never read).
 */
export function gramLower(b: Float64Array, n: number, m: number, g: Float64Array): void {
	let i = 0;
	for (; i + 3 < n; i += 4) {
		const a0o = i * m;
		const a1o = a0o + m;
		const a2o = a1o + m;
		const a3o = a2o + m;
		for (let j = 0; j <= i; j += 4) {
			const c0o = j * m;
			const c1o = c0o + m;
			const c2o = c1o + m;
			const c3o = c2o + m;
			let s00 = 0,
				s01 = 0,
				s02 = 0,
				s03 = 0,
				s10 = 0,
				s11 = 0,
				s12 = 0,
				s13 = 0,
				s20 = 0,
				s21 = 0,
				s22 = 0,
				s23 = 0,
				s30 = 0,
				s31 = 0,
				s32 = 0,
				s33 = 0;
			for (let t = 0; t < m; t++) {
				const a0 = b[a0o + t];
				const a1 = b[a1o + t];
				const a2 = b[a2o + t];
				const a3 = b[a3o + t];
				const c0 = b[c0o + t];
				const c1 = b[c1o + t];
				const c2 = b[c2o + t];
				const c3 = b[c3o + t];
				s00 += a0 * c0;
				s01 += a0 * c1;
				s02 += a0 * c2;
				s03 += a0 * c3;
				s10 += a1 * c0;
				s11 += a1 * c1;
				s12 += a1 * c2;
				s13 += a1 * c3;
				s20 += a2 * c0;
				s21 += a2 * c1;
				s22 += a2 * c2;
				s23 += a2 * c3;
				s30 += a3 * c0;
				s31 += a3 * c1;
				s32 += a3 * c2;
				s33 += a3 * c3;
			}
			let o = i * n + j;
			g[o] = s00;
			g[o + 1] = s01;
			g[o + 2] = s02;
			g[o + 3] = s03;
			o += n;
			g[o] = s10;
			g[o + 1] = s11;
			g[o + 2] = s12;
			g[o + 3] = s13;
			o += n;
			g[o] = s20;
			g[o + 1] = s21;
			g[o + 2] = s22;
			g[o + 3] = s23;
			o += n;
			g[o] = s30;
			g[o + 1] = s31;
			g[o + 2] = s32;
			g[o + 3] = s33;
		}
	}
	// The last n mod 4 rows, one entry at a time.
	for (; i < n; i++) {
		const ai = i * m;
		for (let j = 0; j <= i; j++) {
			const cj = j * m;
			let s0 = 0;
			let s1 = 0;
			let t = 0;
			for (; t + 1 < m; t += 2) {
				s0 += b[ai + t] * b[cj + t];
				s1 += b[ai + t + 1] * b[cj + t + 1];
			}
			if (t < m) s0 += b[ai + t] * b[cj + t];
			g[i * n + j] = s0 + s1;
		}
	}
}

/**
 * Householder tridiagonalisation of the symmetric n×n matrix whose lower triangle is in g
 * (LAPACK's dsytd2, lower): Qᵀ·G·Q = T with diagonal d and subdiagonal e[0…n−2]. g is
 * overwritten.
 *
 * Step k reflects column k's part below the diagonal to (β, 0, …) with H = I − τ·v·vᵀ and applies
 * H on both sides as the rank-2 update G ← G − v·wᵀ − w·vᵀ, w = τ·p − ½τ²(pᵀv)·v, p = G·v. Textbook
 * order reads the trailing triangle twice per step (p, then the update). Here column k+1 is
 * updated first, which gives the next reflector at once, so one pass over the triangle does
 * step k's update and the next step's product p' = G'·v' together. Rows go four at a time, so
 * that each load of v, w, v' and p' serves four rows.
 */
export function tridiagonalize(g: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
	if (n === 0) return;
	d[0] = g[0];
	if (n === 1) return;
	let v = new Float64Array(n);
	let vNext = new Float64Array(n);
	const w = new Float64Array(n);
	const p = new Float64Array(n);
	const zero = new Float64Array(n);
	let tau = reflector(g, n, 0, v, e);
	updateAndMultiply(g, n, 1, zero, zero, v, p);
	for (let k = 0; k + 2 < n; k++) {
		const lo = k + 1;
		let pv = 0;
		for (let i = lo; i < n; i++) pv += p[i] * v[i];
		const h = 0.5 * tau * tau * pv;
		for (let i = lo; i < n; i++) w[i] = tau * p[i] - h * v[i];
		// Column lo, updated now: it is the next reflector's source.
		const vl = v[lo];
		const wl = w[lo];
		for (let i = lo; i < n; i++) g[i * n + lo] -= v[i] * wl + w[i] * vl;
		d[lo] = g[lo * n + lo];
		const tauNext = reflector(g, n, lo, vNext, e);
		updateAndMultiply(g, n, lo + 1, v, w, vNext, p);
		const t = v;
		v = vNext;
		vNext = t;
		tau = tauNext;
	}
	d[n - 1] = g[(n - 1) * n + n - 1];
}

/**
 * The reflector of column k below the diagonal (rows k+1…): v with v[k+1] = 1 (zero above),
 * β into e[k], and τ returned (0 when the column's tail is already zero).
 */
function reflector(
	g: Float64Array,
	n: number,
	k: number,
	v: Float64Array,
	e: Float64Array
): number {
	const alpha = g[(k + 1) * n + k];
	let ss = 0;
	for (let i = k + 2; i < n; i++) {
		const x = g[i * n + k];
		ss += x * x;
	}
	v.fill(0, 0, k + 1);
	if (ss === 0) {
		e[k] = alpha;
		v.fill(0, k + 1, n);
		return 0;
	}
	const r = Math.sqrt(alpha * alpha + ss);
	const beta = alpha >= 0 ? -r : r;
	const f = 1 / (alpha - beta);
	v[k + 1] = 1;
	for (let i = k + 2; i < n; i++) v[i] = g[i * n + k] * f;
	e[k] = beta;
	return (beta - alpha) / beta;
}

/**
 * Over the lower triangle's rows and columns lo…n−1: G ← G − v·wᵀ − w·vᵀ, then p = G·x with the
 * updated G (each off-diagonal entry counts for itself and its mirror).
 */
function updateAndMultiply(
	g: Float64Array,
	n: number,
	lo: number,
	v: Float64Array,
	w: Float64Array,
	x: Float64Array,
	p: Float64Array
): void {
	p.fill(0, lo, n);
	let i = lo;
	for (; i + 3 < n; i += 4) {
		const o0 = i * n;
		const o1 = o0 + n;
		const o2 = o1 + n;
		const o3 = o2 + n;
		const v0 = v[i];
		const v1 = v[i + 1];
		const v2 = v[i + 2];
		const v3 = v[i + 3];
		const w0 = w[i];
		const w1 = w[i + 1];
		const w2 = w[i + 2];
		const w3 = w[i + 3];
		const x0 = x[i];
		const x1 = x[i + 1];
		const x2 = x[i + 2];
		const x3 = x[i + 3];
		let s0 = 0;
		let s1 = 0;
		let s2 = 0;
		let s3 = 0;
		for (let j = lo; j < i; j++) {
			const vj = v[j];
			const wj = w[j];
			const xj = x[j];
			const g0 = g[o0 + j] - (v0 * wj + w0 * vj);
			const g1 = g[o1 + j] - (v1 * wj + w1 * vj);
			const g2 = g[o2 + j] - (v2 * wj + w2 * vj);
			const g3 = g[o3 + j] - (v3 * wj + w3 * vj);
			g[o0 + j] = g0;
			g[o1 + j] = g1;
			g[o2 + j] = g2;
			g[o3 + j] = g3;
			s0 += g0 * xj;
			s1 += g1 * xj;
			s2 += g2 * xj;
			s3 += g3 * xj;
			p[j] += g0 * x0 + g1 * x1 + (g2 * x2 + g3 * x3);
		}
		p[i] += s0;
		p[i + 1] += s1;
		p[i + 2] += s2;
		p[i + 3] += s3;
		// The 4×4 block on the diagonal: its lower triangle, entry by entry.
		for (let r = i; r < i + 4; r++) {
			const or = r * n;
			const vr = v[r];
			const wr = w[r];
			const xr = x[r];
			for (let c = i; c <= r; c++) {
				const y = g[or + c] - (vr * w[c] + wr * v[c]);
				g[or + c] = y;
				p[r] += y * x[c];
				if (c < r) p[c] += y * xr;
			}
		}
	}
	for (; i < n; i++) {
		const o = i * n;
		const vi = v[i];
		const wi = w[i];
		const xi = x[i];
		let s = 0;
		for (let j = lo; j < i; j++) {
			const y = g[o + j] - (vi * w[j] + wi * v[j]);
			g[o + j] = y;
			s += y * x[j];
			p[j] += y * xi;
		}
		const y = g[o + i] - 2 * vi * wi;
		g[o + i] = y;
		p[i] += s + y * xi;
	}
}

/**
 * The eigenvalues of the symmetric tridiagonal matrix with diagonal d and subdiagonal
 * e[0…n−2], into d (unsorted), by implicit QL with Wilkinson's shift (the tql2 / tqli
 * algorithm without eigenvectors; Golub & Van Loan §8.3.5). e is destroyed. Entries are at most
 * about m here (G of a matrix scaled to its largest entry), so plain square roots stand in for
 * Math.hypot, which is several times slower.
 */
export function tridiagonalEigenvalues(d: Float64Array, e: Float64Array, n: number): void {
	if (n === 0) return;
	e[n - 1] = 0;
	const maxIterations = 30 * n + 30;
	let iterations = 0;
	for (let l = 0; l < n; l++) {
		for (;;) {
			// The first negligible subdiagonal entry at or after l ends the unreduced block l…m.
			let m = l;
			for (; m < n - 1; m++) {
				if (Math.abs(e[m]) <= EPS * (Math.abs(d[m]) + Math.abs(d[m + 1]))) break;
			}
			if (m === l) break;
			if (++iterations > maxIterations)
				throw new Error('singular values: the tridiagonal QL iteration did not converge');
			let g = (d[l + 1] - d[l]) / (2 * e[l]);
			let r = Math.sqrt(g * g + 1);
			g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
			let s = 1;
			let c = 1;
			let p = 0;
			let i = m - 1;
			let split = false;
			for (; i >= l; i--) {
				const f = s * e[i];
				const b = c * e[i];
				r = Math.sqrt(f * f + g * g);
				e[i + 1] = r;
				if (r === 0) {
					// Underflow split the block: deflate and start again.
					d[i + 1] -= p;
					e[m] = 0;
					split = true;
					break;
				}
				s = f / r;
				c = g / r;
				g = d[i + 1] - p;
				r = (d[i] - g) * s + 2 * c * b;
				p = s * r;
				d[i + 1] = g + p;
				g = c * r - b;
			}
			if (split) continue;
			d[l] -= p;
			e[l] = g;
			e[m] = 0;
		}
	}
}
