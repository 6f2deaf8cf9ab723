/**
 * Measures of a singular value spectrum σ₁ ≥ σ₂ ≥ … ≥ 0, for asking how low-rank a weight update
 * is: the energy the top k directions capture, the stable rank, the effective rank of Roy &
 * Vetterli (2007), the best rank-k approximation of Eckart & Young (1936) and its error, and the
 * subspace similarity φ that Hu et al. (2021, LoRA, §7) use to compare adapters trained at
 * different ranks. Spectra are any array of non-negative numbers sorted descending, as
 * `singularValues` returns them; matrices are flat row-major arrays as in `svd.ts`.
 *
 * A zero spectrum (a zero matrix, such as ΔW before the first step) is answered without NaN: it
 * has stable and effective rank 0, and every k captures all of its (zero) energy.
 */
import { checkMatrix, svd, type MatrixData } from './svd';

/** Throws unless `s` is a spectrum: finite, non-negative, descending. */
function checkSpectrum(s: ArrayLike<number>): void {
	for (let i = 0; i < s.length; i++) {
		if (!Number.isFinite(s[i]) || s[i] < 0)
			throw new Error(`spectrum: σ${i + 1} = ${s[i]} is not a finite non-negative number`);
		if (i > 0 && s[i] > s[i - 1])
			throw new Error(`spectrum: σ${i + 1} = ${s[i]} exceeds σ${i} = ${s[i - 1]}`);
	}
}

function checkK(k: number, max: number): void {
	if (!Number.isInteger(k) || k < 0 || k > max)
		throw new Error(`k = ${k} is not an integer from 0 to ${max}`);
}

/** Σσᵢ², which is ‖A‖²_F for A's spectrum. */
function sumOfSquares(s: ArrayLike<number>, from = 0): number {
	let total = 0;
	for (let i = from; i < s.length; i++) total += s[i] * s[i];
	return total;
}

/**
 * Fraction of the energy ‖A‖²_F that the top k singular directions hold: Σ_{i≤k} σᵢ² / Σ σᵢ²,
 * in [0, 1]. 1 for a zero spectrum (nothing is left out). Throws unless 0 ≤ k ≤ length.
 */
export function energyCaptured(s: ArrayLike<number>, k: number): number {
	checkSpectrum(s);
	checkK(k, s.length);
	const total = sumOfSquares(s);
	return total === 0 ? 1 : 1 - sumOfSquares(s, k) / total;
}

/**
 * Cumulative energy: entry k−1 is `energyCaptured(s, k)` for k = 1…length, so the curve ends
 * at 1. All ones for a zero spectrum.
 */
export function cumulativeEnergy(s: ArrayLike<number>): Float64Array {
	checkSpectrum(s);
	const total = sumOfSquares(s);
	const out = new Float64Array(s.length);
	let run = 0;
	for (let i = 0; i < s.length; i++) {
		run += s[i] * s[i];
		out[i] = total === 0 ? 1 : run / total;
	}
	// Rounding must not leave the last entry a hair under 1: the whole spectrum holds it all.
	if (s.length > 0) out[s.length - 1] = 1;
	return out;
}

/**
 * The fewest top directions that hold at least `fraction` (in [0, 1]) of the energy: the k of
 * "k directions hold 90% of the update". 0 for a zero spectrum.
 */
export function rankForEnergy(s: ArrayLike<number>, fraction: number): number {
	if (!(fraction >= 0 && fraction <= 1)) throw new Error(`fraction ${fraction} is not in [0, 1]`);
	checkSpectrum(s);
	const total = sumOfSquares(s);
	if (total === 0) return 0;
	let run = 0;
	for (let i = 0; i < s.length; i++) {
		if (run >= fraction * total) return i;
		run += s[i] * s[i];
	}
	return s.length;
}

/**
 * Stable rank ‖A‖²_F / ‖A‖²₂ = Σσᵢ² / σ₁², a rank that small singular values barely move:
 * between 1 and rank(A), 0 for a zero spectrum.
 */
export function stableRank(s: ArrayLike<number>): number {
	checkSpectrum(s);
	if (s.length === 0 || s[0] === 0) return 0;
	return sumOfSquares(s) / (s[0] * s[0]);
}

/**
 * Effective rank of Roy & Vetterli (2007): exp(H(p)), the exponential of the Shannon entropy
 * (natural log) of the normalised singular values pᵢ = σᵢ / Σσⱼ, with 0·log 0 = 0. Between 1 and
 * rank(A); equal to r when r singular values are equal and the rest zero. 0 for a zero spectrum.
 */
export function effectiveRank(s: ArrayLike<number>): number {
	checkSpectrum(s);
	let sum = 0;
	for (let i = 0; i < s.length; i++) sum += s[i];
	if (sum === 0) return 0;
	let entropy = 0;
	for (let i = 0; i < s.length; i++) {
		const p = s[i] / sum;
		if (p > 0) entropy -= p * Math.log(p);
	}
	return Math.exp(entropy);
}

/**
 * Frobenius error of the best rank-k approximation, ‖A − A_k‖_F = sqrt(Σ_{i>k} σᵢ²) (Eckart–Young:
 * no rank-k matrix is closer). Throws unless 0 ≤ k ≤ length.
 */
export function truncationError(s: ArrayLike<number>, k: number): number {
	checkSpectrum(s);
	checkK(k, s.length);
	return Math.sqrt(sumOfSquares(s, k));
}

/**
 * A_k = Σ_{i≤k} σᵢ·uᵢ·vᵢᵀ from a decomposition of a rows×cols matrix: the best rank-k
 * approximation in the Frobenius and spectral norms (Eckart–Young). New rows×cols array.
 */
export function reconstruct(
	{ U, S, V }: { U: Float64Array; S: Float64Array; V: Float64Array },
	rows: number,
	cols: number,
	k: number = S.length
): Float64Array {
	const n = S.length;
	if (U.length !== rows * n || V.length !== cols * n)
		throw new Error(`reconstruct: U, S, V do not fit a ${rows}×${cols} matrix`);
	checkK(k, n);
	const out = new Float64Array(rows * cols);
	const scaled = new Float64Array(k);
	for (let i = 0; i < rows; i++) {
		for (let t = 0; t < k; t++) scaled[t] = U[i * n + t] * S[t];
		const o = i * cols;
		for (let j = 0; j < cols; j++) {
			let x = 0;
			for (let t = 0; t < k; t++) x += scaled[t] * V[j * n + t];
			out[o + j] = x;
		}
	}
	return out;
}

/** The best rank-k approximation A_k of a rows×cols matrix (Eckart–Young). New rows×cols array. */
export function lowRankApproximation(
	a: MatrixData,
	rows: number,
	cols: number,
	k: number
): Float64Array {
	checkK(k, Math.min(rows, cols));
	return reconstruct(svd(a, rows, cols), rows, cols, k);
}

/**
 * The subspace similarity grid of two orthonormal bases of the same n-dimensional space, given
 * as n×k1 and n×k2 row-major matrices whose columns are ordered by importance (such as `svd`'s
 * U or V). Entry (i−1)·k2 + (j−1) of the k1×k2 result is
 *
 *   φ(i, j) = ‖U1[:, :i]ᵀ·U2[:, :j]‖²_F / min(i, j)  ∈ [0, 1],
 *
 * the mean squared cosine of the principal angles between the span of U1's first i columns and
 * U2's first j: 1 when the smaller subspace lies inside the larger, 0 when they are orthogonal.
 */
export function subspaceSimilarityOfBases(
	U1: Float64Array,
	k1: number,
	U2: Float64Array,
	k2: number,
	n: number
): Float64Array {
	if (U1.length !== n * k1 || U2.length !== n * k2)
		throw new Error(`subspace similarity: bases must be ${n}×${k1} and ${n}×${k2}`);
	// Squared overlaps M²[a][b] = (u1_a · u2_b)², summed into 2-D prefix sums: φ(i, j) is one read.
	const prefix = new Float64Array(k1 * k2);
	const row = new Float64Array(k2);
	for (let a = 0; a < k1; a++) {
		row.fill(0);
		for (let t = 0; t < n; t++) {
			const x = U1[t * k1 + a];
			const o = t * k2;
			for (let b = 0; b < k2; b++) row[b] += x * U2[o + b];
		}
		let run = 0;
		for (let b = 0; b < k2; b++) {
			run += row[b] * row[b];
			prefix[a * k2 + b] = run + (a > 0 ? prefix[(a - 1) * k2 + b] : 0);
		}
	}
	for (let a = 0; a < k1; a++)
		for (let b = 0; b < k2; b++)
			prefix[a * k2 + b] = Math.min(1, prefix[a * k2 + b] / Math.min(a + 1, b + 1));
	return prefix;
}

/** How a LoRA A matrix is laid out: the paper's r×d (rows = rank), or this course's d×r. */
export type AdapterLayout = 'rank-by-input' | 'input-by-rank';

/**
 * The subspace similarity of LoRA §7 (Hu et al. 2021, arXiv 2106.09685) between two adapters'
 * A matrices over the same d inputs, of ranks r1 and r2. With U_A the right-singular vectors of
 * A (r×d, the paper's layout, so U_A is d×r), ordered by singular value,
 *
 *   φ(A1, A2, i, j) = ‖U_{A1}^{i}ᵀ·U_{A2}^{j}‖²_F / min(i, j)  ∈ [0, 1],
 *
 * where U^{i} keeps the top i singular vectors: how much of the subspace spanned by A1's top i
 * directions lies in that of A2's top j. Returns the whole grid, k1×k2 row-major with
 * kₐ = min(rₐ, d): entry (i−1)·k2 + (j−1) is φ(A1, A2, i, j). This course's LoRA stores A as
 * [in, r] (`'input-by-rank'`), the paper's transpose; its left-singular vectors are the same
 * directions, and the layout argument picks them.
 */
export function loraSubspaceSimilarity(
	a1: MatrixData,
	r1: number,
	a2: MatrixData,
	r2: number,
	d: number,
	layout: AdapterLayout = 'rank-by-input'
): Float64Array {
	const basis = (a: MatrixData, r: number, name: string) => {
		if (layout === 'rank-by-input') {
			checkMatrix(a, r, d, name);
			return svd(a, r, d).V;
		}
		checkMatrix(a, d, r, name);
		return svd(a, d, r).U;
	};
	const u1 = basis(a1, r1, 'A1');
	const u2 = basis(a2, r2, 'A2');
	return subspaceSimilarityOfBases(u1, Math.min(r1, d), u2, Math.min(r2, d), d);
}

/** An adapter's A factor as a run reports it: r×d row-major (the paper's layout), rank r, d inputs. */
export interface AdapterFactor {
	A: ArrayLike<number>;
	rank: number;
	inDim: number;
}

/** `loraSubspaceSimilarity` between two reported adapters of the same layer. */
export function adapterSimilarity(a: AdapterFactor, b: AdapterFactor): Float64Array {
	return loraSubspaceSimilarity(
		Float64Array.from(a.A),
		a.rank,
		Float64Array.from(b.A),
		b.rank,
		a.inDim
	);
}
