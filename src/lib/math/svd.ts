/**
 * The singular value decomposition of a dense real matrix, A = U·diag(S)·Vᵀ, in plain
 * TypeScript, for the spectra the lessons show live (a weight update's singular values while it
 * trains, LoRA adapters compared by their singular vectors). The method is Golub & Kahan's: two
 * sequences of Householder reflections reduce A to an upper bidiagonal matrix, then implicit
 * Wilkinson-shifted QR sweeps on the bidiagonal drive its superdiagonal to zero (Golub & Van Loan,
 * Matrix Computations, 4th ed., §5.4.8 and §8.6). It is backward stable: every singular value is
 * within a small multiple of ε·σ₁ of the exact one. `singularValues` skips all work on U and V,
 * and on well-conditioned matrices takes a faster route through the Gram matrix.
 *
 * Matrices are flat, row-major `Float64Array`s (or `Float32Array`s, read as doubles) with their
 * shape passed beside them; results are always new `Float64Array`s the caller owns. All work is
 * on flat arrays with unit-stride inner loops: U and V are accumulated transposed, so that every
 * reflection and rotation updates contiguous rows.
 */

/** A real matrix in row-major order: element (i, j) of a rows×cols matrix is `a[i·cols + j]`. */
export type MatrixData = Float64Array | Float32Array;

/** The thin SVD of a rows×cols matrix, with k = min(rows, cols). Row-major, caller owns. */
export interface Svd {
	/** Left singular vectors as columns: rows×k, orthonormal columns. */
	U: Float64Array;
	/** Singular values σ₁ ≥ σ₂ ≥ … ≥ σ_k ≥ 0, length k. */
	S: Float64Array;
	/** Right singular vectors as columns: cols×k, orthonormal columns. */
	V: Float64Array;
}

import { singularValuesFast } from './gramSpectrum';
import { workspace } from './workspace';

const EPS = 2 ** -52;
/**
 * Below this (A is first scaled so that its largest entry is 1) a column or row is taken as zero
 * when reflectors are formed: far under ε·σ₁, it moves no singular value by anything measurable,
 * and it keeps 1/(α − β) and products of two entries clear of overflow and underflow.
 */
const NEGLIGIBLE = 1e-150;

/**
 * Throws an `Error` unless `a` holds exactly rows·cols finite numbers and the shape is made of
 * non-negative integers. Shared by every function that takes a matrix.
 */
export function checkMatrix(a: MatrixData, rows: number, cols: number, name = 'matrix'): void {
	if (!(a instanceof Float64Array || a instanceof Float32Array))
		throw new Error(`${name} must be a Float64Array or Float32Array`);
	if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0)
		throw new Error(`${name}: shape ${rows}×${cols} is not two non-negative integers`);
	if (a.length !== rows * cols)
		throw new Error(`${name}: ${a.length} values do not fill a ${rows}×${cols} matrix`);
	for (let i = 0; i < a.length; i++) {
		if (!Number.isFinite(a[i])) {
			const r = Math.floor(i / cols);
			throw new Error(`${name} has ${a[i]} at row ${r}, column ${i - r * cols}`);
		}
	}
}

/**
 * The transpose of a rows×cols matrix, as a new cols×rows `Float64Array`.
 */
export function transpose(a: MatrixData, rows: number, cols: number): Float64Array {
	return transposeInto(a, rows, cols, new Float64Array(rows * cols));
}

function transposeInto(a: MatrixData, rows: number, cols: number, t: Float64Array): Float64Array {
	for (let i = 0; i < rows; i++) {
		const o = i * cols;
		for (let j = 0; j < cols; j++) t[j * rows + i] = a[o + j];
	}
	return t;
}

/**
 * The singular values of a rows×cols matrix, largest first (length min(rows, cols)). Throws on
 * NaN, ±Infinity or a bad shape.
 *
 * Two routes: first the eigenvalues of the Gram matrix (`gramSpectrum.ts`), about two thirds of
 * the bidiagonal route's time at the lessons' sizes; where that finds a value under
 * `GRAM_FLOOR`·σ₁, whose Gram estimate could be off by more than 10⁻⁹·σ₁, all values are
 * recomputed by the backward-stable bidiagonal route that `svd` uses. Either way each value is
 * within about 10⁻⁹·σ₁ of the exact one, or within a few ε·σ₁ on the bidiagonal route.
 */
export function singularValues(a: MatrixData, rows: number, cols: number): Float64Array {
	checkMatrix(a, rows, cols);
	if (Math.min(rows, cols) >= GRAM_MIN_SIZE) {
		const fast = singularValuesFast(a, rows, cols);
		if (!fast.belowFloor) return fast.S;
	}
	return stableValues(a, rows, cols);
}

/**
 * Below this many rows and columns the Gram route saves nothing worth its second pass on a
 * rank-deficient matrix.
 */
const GRAM_MIN_SIZE = 16;

/**
 * The singular values by the bidiagonal route alone: backward stable, every value within a few
 * ε·σ₁ however small it is. `singularValues` uses it when the Gram route cannot be trusted.
 */
export function singularValuesStable(a: MatrixData, rows: number, cols: number): Float64Array {
	checkMatrix(a, rows, cols);
	return stableValues(a, rows, cols);
}

function stableValues(a: MatrixData, rows: number, cols: number): Float64Array {
	// The working copy is scratch: only S leaves `decompose` when no vectors are asked for.
	const work = workspace(0, rows * cols);
	if (rows >= cols) work.set(a);
	else transposeInto(a, rows, cols, work);
	return decompose(work, Math.max(rows, cols), Math.min(rows, cols), false).S;
}

/**
 * The thin singular value decomposition A = U·diag(S)·Vᵀ of a rows×cols matrix A, with
 * k = min(rows, cols): U rows×k, S length k (descending, non-negative), V cols×k, all row-major,
 * with orthonormal columns even where A is rank-deficient or zero. Throws on NaN, ±Infinity or
 * a bad shape.
 */
export function svd(a: MatrixData, rows: number, cols: number): Svd {
	checkMatrix(a, rows, cols);
	const wide = rows < cols;
	const m = Math.max(rows, cols);
	const n = Math.min(rows, cols);
	const { S, Ut, Vt } = decompose(tallCopy(a, rows, cols), m, n, true);
	// Ut is n×m and Vt n×n; the transposes are the thin U (m×n) and V (n×n) of the tall matrix.
	const Ut2 = transpose(Ut!, n, m);
	const Vt2 = transpose(Vt!, n, n);
	// A wide matrix was decomposed as Aᵀ = U'·S·V'ᵀ, so A = V'·S·U'ᵀ.
	return wide ? { U: Vt2, S, V: Ut2 } : { U: Ut2, S, V: Vt2 };
}

/** A tall (m ≥ n) working copy in doubles: A itself, or Aᵀ when A is wide. */
function tallCopy(a: MatrixData, rows: number, cols: number): Float64Array {
	return rows >= cols ? Float64Array.from(a) : transpose(a, rows, cols);
}

interface Decomposition {
	S: Float64Array;
	/** Uᵀ, n×m, when vectors were asked for. */
	Ut?: Float64Array;
	/** Vᵀ, n×n, when vectors were asked for. */
	Vt?: Float64Array;
}

/** SVD of the tall m×n matrix in `w` (m ≥ n), which it overwrites. */
function decompose(w: Float64Array, m: number, n: number, vectors: boolean): Decomposition {
	const S = new Float64Array(n);
	if (n === 0) return { S, Ut: new Float64Array(0), Vt: new Float64Array(0) };
	// Scaling by the largest entry keeps squares and norms clear of overflow and underflow.
	let scale = 0;
	for (let i = 0; i < w.length; i++) scale = Math.max(scale, Math.abs(w[i]));
	if (scale > 0 && scale !== 1) for (let i = 0; i < w.length; i++) w[i] /= scale;

	const d = new Float64Array(n);
	const e = new Float64Array(n);
	const tauL = new Float64Array(n);
	const tauR = new Float64Array(n);
	bidiagonalize(w, m, n, d, e, tauL, tauR);
	let Ut: Float64Array | undefined;
	let Vt: Float64Array | undefined;
	if (vectors) {
		Ut = accumulate(w, n, m, tauL, 0);
		Vt = accumulate(w, n, n, tauR, 1);
	}
	bidiagonalQr(d, e, n, Ut, m, Vt);

	// Signs to the vectors, then sort descending (selection sort: n swaps of rows at most).
	for (let i = 0; i < n; i++) {
		if (d[i] < 0) {
			d[i] = -d[i];
			if (Vt) for (let j = i * n; j < (i + 1) * n; j++) Vt[j] = -Vt[j];
		}
	}
	for (let i = 0; i < n - 1; i++) {
		let best = i;
		for (let j = i + 1; j < n; j++) if (d[j] > d[best]) best = j;
		if (best === i) continue;
		const t = d[i];
		d[i] = d[best];
		d[best] = t;
		if (Ut) swapRows(Ut, m, i, best);
		if (Vt) swapRows(Vt, n, i, best);
	}
	for (let i = 0; i < n; i++) S[i] = scale > 0 ? d[i] * scale : 0;
	return { S, Ut, Vt };
}

function swapRows(a: Float64Array, width: number, i: number, j: number): void {
	const oi = i * width;
	const oj = j * width;
	for (let c = 0; c < width; c++) {
		const t = a[oi + c];
		a[oi + c] = a[oj + c];
		a[oj + c] = t;
	}
}

/**
 * A Householder reflection H = I − τ·v·vᵀ with v[0] = 1 that maps x to (β, 0, …, 0), as LAPACK's
 * dlarfg. x is `a[start + t·stride]` for t < len; on return its tail holds v[1…] and the
 * function returns τ, with β written to `out[0]`. τ = 0 (H = I) when x's tail is zero or all of x
 * is negligible.
 */
function householder(
	a: Float64Array,
	start: number,
	stride: number,
	len: number,
	out: Float64Array
): number {
	const alpha = a[start];
	let big = 0;
	for (let t = 1; t < len; t++) big = Math.max(big, Math.abs(a[start + t * stride]));
	if (big === 0 || Math.max(big, Math.abs(alpha)) < NEGLIGIBLE) {
		out[0] = alpha;
		return 0;
	}
	let ss = 0;
	for (let t = 1; t < len; t++) {
		const x = a[start + t * stride] / big;
		ss += x * x;
	}
	const tailNorm = big * Math.sqrt(ss);
	const beta = alpha >= 0 ? -Math.hypot(alpha, tailNorm) : Math.hypot(alpha, tailNorm);
	const f = 1 / (alpha - beta);
	for (let t = 1; t < len; t++) a[start + t * stride] *= f;
	out[0] = beta;
	return (beta - alpha) / beta;
}

/**
 * Householder bidiagonalisation of the tall m×n matrix w, in place: Q_Lᵀ·A·Q_R = B with B upper
 * bidiagonal (diagonal d, superdiagonal e[0…n−2]). The reflectors' vectors stay in w: the left
 * ones below the diagonal (column k), the right ones right of the superdiagonal (row k).
 *
 * Step k is one pass over the trailing rows, each row updated while it sits in cache: the left
 * reflection, the right reflection's dot product and update, and the sum that the next step's
 * left reflection needs (column k+1 times the trailing matrix, taken from the raw column and
 * corrected once that column's reflector is known). Textbook order reads the trailing matrix
 * three times per step; this reads it once, for the same arithmetic.
 */
function bidiagonalize(
	w: Float64Array,
	m: number,
	n: number,
	d: Float64Array,
	e: Float64Array,
	tauL: Float64Array,
	tauR: Float64Array
): void {
	// raw[j] = Σᵢ x_i·W[i][j] over the rows of the current column x below its top (before its
	// reflector); leaving the top row out keeps the correction free of cancellation.
	let raw = new Float64Array(n);
	let next = new Float64Array(n);
	const wl = new Float64Array(n);
	const u = new Float64Array(n);
	const beta = new Float64Array(1);
	for (let i = 1; i < m; i++) {
		const o = i * n;
		const x = w[o];
		if (x !== 0) for (let j = 1; j < n; j++) raw[j] += x * w[o + j];
	}
	for (let k = 0; k < n; k++) {
		const kk = k * n + k;
		const alpha = w[kk];
		// Left reflector H = I − τ·v·vᵀ on column k; wl = τ·vᵀ·W[k:, k+1:] from raw.
		const tl = householder(w, kk, n, m - k, beta);
		tauL[k] = tl;
		d[k] = beta[0];
		if (k + 1 >= n) break;
		if (tl !== 0) {
			const f = 1 / (alpha - beta[0]);
			for (let j = k + 1; j < n; j++) {
				const wk = w[k * n + j];
				wl[j] = tl * (wk + raw[j] * f);
				w[k * n + j] = wk - wl[j];
			}
		} else wl.fill(0, k + 1, n);
		// Right reflector G = I − τ·u·uᵀ on row k, now final.
		const tr = householder(w, kk + 1, 1, n - k - 1, beta);
		tauR[k] = tr;
		e[k] = beta[0];
		u[k + 1] = 1;
		for (let j = k + 2; j < n; j++) u[j] = w[k * n + j];
		next.fill(0, k + 2, n);
		// Rows go in pairs, so that each load of wl, u and next serves two rows; the dot
		// products keep four partial sums, so that they are not one chain of dependent additions.
		let i = k + 1;
		for (; i + 1 < m; i += 2) {
			const o0 = i * n;
			const o1 = o0 + n;
			const v0 = tl === 0 ? 0 : w[o0 + k];
			const v1 = tl === 0 ? 0 : w[o1 + k];
			let s00 = 0;
			let s01 = 0;
			let s10 = 0;
			let s11 = 0;
			let j = k + 1;
			for (; j + 1 < n; j += 2) {
				const l0 = wl[j];
				const l1 = wl[j + 1];
				const u0 = u[j];
				const u1 = u[j + 1];
				const x00 = w[o0 + j] - v0 * l0;
				const x01 = w[o0 + j + 1] - v0 * l1;
				const x10 = w[o1 + j] - v1 * l0;
				const x11 = w[o1 + j + 1] - v1 * l1;
				w[o0 + j] = x00;
				w[o0 + j + 1] = x01;
				w[o1 + j] = x10;
				w[o1 + j + 1] = x11;
				s00 += x00 * u0;
				s01 += x01 * u1;
				s10 += x10 * u0;
				s11 += x11 * u1;
			}
			if (j < n) {
				const x0 = w[o0 + j] - v0 * wl[j];
				const x1 = w[o1 + j] - v1 * wl[j];
				w[o0 + j] = x0;
				w[o1 + j] = x1;
				s00 += x0 * u[j];
				s10 += x1 * u[j];
			}
			const t0 = (s00 + s01) * tr;
			const t1 = (s10 + s11) * tr;
			const c0 = w[o0 + k + 1] - t0;
			const c1 = w[o1 + k + 1] - t1;
			w[o0 + k + 1] = c0;
			w[o1 + k + 1] = c1;
			// Row k+1 is the top of the next column: raw leaves it out.
			const a0 = i === k + 1 ? 0 : c0;
			for (j = k + 2; j < n; j++) {
				const uj = u[j];
				const x0 = w[o0 + j] - t0 * uj;
				const x1 = w[o1 + j] - t1 * uj;
				w[o0 + j] = x0;
				w[o1 + j] = x1;
				next[j] += a0 * x0 + c1 * x1;
			}
		}
		if (i < m) {
			const o = i * n;
			const vi = tl === 0 ? 0 : w[o + k];
			let dot = 0;
			for (let j = k + 1; j < n; j++) {
				const x = w[o + j] - vi * wl[j];
				w[o + j] = x;
				dot += x * u[j];
			}
			const t = dot * tr;
			const c = w[o + k + 1] - t;
			w[o + k + 1] = c;
			const a = i === k + 1 ? 0 : c;
			for (let j = k + 2; j < n; j++) {
				const x = w[o + j] - t * u[j];
				w[o + j] = x;
				next[j] += a * x;
			}
		}
		const t = raw;
		raw = next;
		next = t;
	}
}

/**
 * Qᵀ for the product Q of the bidiagonalisation's reflectors kept in w: with `shift` 0 the left
 * ones (vectors down column k, acting on indices k…), giving Uᵀ (n×m) of U = H₀·…·H_{n−1}·[I; 0];
 * with `shift` 1 the right ones (vectors along row k, acting on indices k+1…), giving Vᵀ (n×n).
 * Accumulated backwards, so that reflector k touches only rows and columns k+shift… of Qᵀ, one
 * contiguous row at a time.
 */
function accumulate(
	w: Float64Array,
	n: number,
	width: number,
	taus: Float64Array,
	shift: 0 | 1
): Float64Array {
	const qt = new Float64Array(n * width);
	for (let i = 0; i < n; i++) qt[i * width + i] = 1;
	const v = new Float64Array(width);
	for (let k = n - 1 - shift; k >= 0; k--) {
		const tau = taus[k];
		if (tau === 0) continue;
		const f = k + shift;
		v[f] = 1;
		if (shift === 0) for (let i = f + 1; i < width; i++) v[i] = w[i * n + k];
		else for (let j = f + 1; j < width; j++) v[j] = w[k * n + j];
		reflectRows(qt, width, f, n, f, v, tau);
	}
	return qt;
}

/**
 * Applies the reflection I − τ·v·vᵀ from the right to rows r0…r1−1 of the row-major matrix `a`
 * (row length `width`), over columns c0…: row ← row − τ·(row·v)·vᵀ. Rows go in pairs and the dot
 * products keep split sums, as in `bidiagonalize`.
 */
function reflectRows(
	a: Float64Array,
	width: number,
	r0: number,
	r1: number,
	c0: number,
	v: Float64Array,
	tau: number
): void {
	let r = r0;
	for (; r + 1 < r1; r += 2) {
		const o0 = r * width;
		const o1 = o0 + width;
		let s00 = 0;
		let s01 = 0;
		let s10 = 0;
		let s11 = 0;
		let j = c0;
		for (; j + 1 < width; j += 2) {
			const v0 = v[j];
			const v1 = v[j + 1];
			s00 += a[o0 + j] * v0;
			s01 += a[o0 + j + 1] * v1;
			s10 += a[o1 + j] * v0;
			s11 += a[o1 + j + 1] * v1;
		}
		if (j < width) {
			s00 += a[o0 + j] * v[j];
			s10 += a[o1 + j] * v[j];
		}
		const t0 = (s00 + s01) * tau;
		const t1 = (s10 + s11) * tau;
		for (j = c0; j < width; j++) {
			const vj = v[j];
			a[o0 + j] -= t0 * vj;
			a[o1 + j] -= t1 * vj;
		}
	}
	if (r < r1) {
		const o = r * width;
		let dot = 0;
		for (let j = c0; j < width; j++) dot += a[o + j] * v[j];
		const t = dot * tau;
		for (let j = c0; j < width; j++) a[o + j] -= t * v[j];
	}
}

/**
 * Rotates rows p and q of the row-major matrix `a` (row length `width`):
 * row p ← c·row p + s·row q, row q ← −s·row p + c·row q. Rotating Uᵀ's or Vᵀ's rows is the
 * same as rotating U's or V's columns.
 */
function rotateRows(
	a: Float64Array,
	width: number,
	p: number,
	q: number,
	c: number,
	s: number
): void {
	const op = p * width;
	const oq = q * width;
	for (let t = 0; t < width; t++) {
		const x = a[op + t];
		const y = a[oq + t];
		a[op + t] = c * x + s * y;
		a[oq + t] = c * y - s * x;
	}
}

/**
 * Applies a sweep's rotations k = lo…hi−1, each of rows k and k+1 as `rotateRows`, in order, to
 * the row-major matrix `a`. Row k is final once rotation k is done, so a column's running value
 * is carried down in a register: one load and one store per element and rotation instead of two
 * of each. Four columns go at a time.
 */
function rotateRowSequence(
	a: Float64Array,
	width: number,
	lo: number,
	hi: number,
	c: Float64Array,
	s: Float64Array
): void {
	let t = 0;
	for (; t + 3 < width; t += 4) {
		let o = lo * width + t;
		let x0 = a[o];
		let x1 = a[o + 1];
		let x2 = a[o + 2];
		let x3 = a[o + 3];
		for (let k = lo; k < hi; k++) {
			const ck = c[k];
			const sk = s[k];
			const q = o + width;
			const y0 = a[q];
			const y1 = a[q + 1];
			const y2 = a[q + 2];
			const y3 = a[q + 3];
			a[o] = ck * x0 + sk * y0;
			a[o + 1] = ck * x1 + sk * y1;
			a[o + 2] = ck * x2 + sk * y2;
			a[o + 3] = ck * x3 + sk * y3;
			x0 = ck * y0 - sk * x0;
			x1 = ck * y1 - sk * x1;
			x2 = ck * y2 - sk * x2;
			x3 = ck * y3 - sk * x3;
			o = q;
		}
		a[o] = x0;
		a[o + 1] = x1;
		a[o + 2] = x2;
		a[o + 3] = x3;
	}
	for (; t < width; t++) {
		let o = lo * width + t;
		let x = a[o];
		for (let k = lo; k < hi; k++) {
			const q = o + width;
			const y = a[q];
			a[o] = c[k] * x + s[k] * y;
			x = c[k] * y - s[k] * x;
			o = q;
		}
		a[o] = x;
	}
}

/**
 * Diagonalises the upper bidiagonal B (diagonal d, superdiagonal e) by implicit Wilkinson-shift
 * QR sweeps (Golub & Van Loan Algorithm 8.6.2), leaving the (signed, unsorted) singular values
 * in d. The rotations are applied to Uᵀ (n×m) and Vᵀ (n×n) when given. B's entries are at most
 * about 1 (A was scaled to its largest entry) and those under ε·‖B‖ are dropped, so plain
 * sqrt(y² + z²) neither overflows nor underflows where it matters, and is much faster than
 * Math.hypot.
 */
function bidiagonalQr(
	d: Float64Array,
	e: Float64Array,
	n: number,
	Ut: Float64Array | undefined,
	m: number,
	Vt: Float64Array | undefined
): void {
	let norm = 0;
	for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(d[i]) + Math.abs(e[i]));
	// Entries below ε·‖B‖ are zero to working accuracy: dropping them moves no singular value by
	// more than that.
	const tol = EPS * norm;
	e[n - 1] = 0;
	let hi = n - 1;
	let iterations = 0;
	const maxIterations = 40 * n + 40;
	// One sweep's rotations of rows (left, for Uᵀ) and of columns (right, for Vᵀ).
	const cL = new Float64Array(n);
	const sL = new Float64Array(n);
	const cR = new Float64Array(n);
	const sR = new Float64Array(n);
	while (hi > 0) {
		if (Math.abs(e[hi - 1]) <= tol) {
			e[hi - 1] = 0;
			hi--;
			continue;
		}
		// The unreduced block is lo…hi: e[lo…hi−1] all non-negligible.
		let lo = hi - 1;
		while (lo > 0 && Math.abs(e[lo - 1]) > tol) lo--;
		if (++iterations > maxIterations) throw new Error('svd: the QR sweeps did not converge');

		// A (near) zero on the diagonal splits the block once its row or column is rotated away.
		let zero = -1;
		for (let i = lo; i <= hi; i++) {
			if (Math.abs(d[i]) <= tol) {
				zero = i;
				break;
			}
		}
		if (zero >= 0) {
			d[zero] = 0;
			if (zero < hi) chaseRow(d, e, zero, hi, Ut, m);
			else chaseColumn(d, e, lo, hi, Vt, n);
			continue;
		}
		shiftedSweep(d, e, lo, hi, cL, sL, cR, sR);
		if (Ut) rotateRowSequence(Ut, m, lo, hi, cL, sL);
		if (Vt) rotateRowSequence(Vt, n, lo, hi, cR, sR);
	}
}

/** With d[i] = 0 (i < hi), zeroes e[i] by rotations of row i against rows i+1…hi. */
function chaseRow(
	d: Float64Array,
	e: Float64Array,
	i: number,
	hi: number,
	Ut: Float64Array | undefined,
	m: number
): void {
	let f = e[i];
	e[i] = 0;
	for (let j = i + 1; j <= hi && f !== 0; j++) {
		const r = Math.sqrt(d[j] * d[j] + f * f);
		const c = d[j] / r;
		const s = f / r;
		d[j] = r;
		if (j < hi) {
			f = -s * e[j];
			e[j] *= c;
		}
		if (Ut) rotateRows(Ut, m, j, i, c, s);
	}
}

/** With d[hi] = 0, zeroes e[hi−1] by rotations of column hi against columns hi−1…lo. */
function chaseColumn(
	d: Float64Array,
	e: Float64Array,
	lo: number,
	hi: number,
	Vt: Float64Array | undefined,
	n: number
): void {
	let f = e[hi - 1];
	e[hi - 1] = 0;
	for (let k = hi - 1; k >= lo && f !== 0; k--) {
		const r = Math.sqrt(d[k] * d[k] + f * f);
		const c = d[k] / r;
		const s = f / r;
		d[k] = r;
		if (k > lo) {
			f = -s * e[k - 1];
			e[k - 1] *= c;
		}
		if (Vt) rotateRows(Vt, n, k, hi, c, s);
	}
}

/**
 * One implicit QR sweep on the unreduced block lo…hi with the Wilkinson shift: the eigenvalue of
 * the trailing 2×2 of BᵀB nearer its last entry. The bulge is chased down by alternating right
 * (column) and left (row) rotations; rotation k, of k and k+1, is recorded in cR/sR and cL/sL for
 * `rotateRowSequence` to apply to Vᵀ and Uᵀ.
 */
function shiftedSweep(
	d: Float64Array,
	e: Float64Array,
	lo: number,
	hi: number,
	cL: Float64Array,
	sL: Float64Array,
	cR: Float64Array,
	sR: Float64Array
): void {
	const dm = d[hi - 1];
	const em = e[hi - 1];
	const eb = hi - 1 > lo ? e[hi - 2] : 0;
	const t11 = dm * dm + eb * eb;
	const t12 = dm * em;
	const t22 = d[hi] * d[hi] + em * em;
	const half = (t11 - t22) / 2;
	const root = Math.sqrt(half * half + t12 * t12);
	const mu = t22 - (t12 * t12) / (half + (half >= 0 ? root : -root) || 1);

	let y = d[lo] * d[lo] - mu;
	let z = d[lo] * e[lo];
	for (let k = lo; k < hi; k++) {
		// Right rotation of columns k, k+1: zeroes z (the bulge above, or starts the sweep).
		let r = Math.sqrt(y * y + z * z);
		let c = r === 0 ? 1 : y / r;
		let s = r === 0 ? 0 : z / r;
		if (k > lo) e[k - 1] = r;
		const dk = d[k];
		const ek = e[k];
		y = c * dk + s * ek;
		e[k] = c * ek - s * dk;
		z = s * d[k + 1];
		d[k + 1] *= c;
		cR[k] = c;
		sR[k] = s;
		// Left rotation of rows k, k+1: zeroes the bulge z below the diagonal.
		r = Math.sqrt(y * y + z * z);
		c = r === 0 ? 1 : y / r;
		s = r === 0 ? 0 : z / r;
		d[k] = r;
		const ek2 = e[k];
		const dk1 = d[k + 1];
		e[k] = c * ek2 + s * dk1;
		d[k + 1] = c * dk1 - s * ek2;
		if (k + 1 < hi) {
			z = s * e[k + 1];
			e[k + 1] *= c;
		}
		y = e[k];
		cL[k] = c;
		sL[k] = s;
	}
}
