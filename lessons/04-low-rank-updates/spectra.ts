/**
 * What lesson 4's figures read off a spectrum, as pure functions: the energy in the top few
 * directions, the ranks that reach 90% and 99%, stable and effective rank, a sentence that says it
 * in words, and the spectrum of a random reference matrix of a given shape and Frobenius norm.
 * The random reference is computed once per shape (its singular values scale linearly with its
 * norm), so the page never decomposes a matrix per frame.
 */
import { createRng } from '$lib/math/rng';
import {
	cumulativeEnergy,
	effectiveRank,
	energyCaptured,
	rankForEnergy,
	stableRank
} from '$lib/math/spectrum';
import { singularValues } from '$lib/math/svd';

/** The measures of one spectrum (σ descending, non-negative). */
export interface SpectrumStats {
	/** Number of singular values, min(rows, cols). */
	n: number;
	/** ‖·‖_F = sqrt(Σσᵢ²). */
	frobenius: number;
	sigma1: number;
	/** Share of Σσᵢ² in the top 1, 4 and 8 directions, in [0, 1]. */
	energy1: number;
	energy4: number;
	energy8: number;
	/** Fewest directions holding 90% and 99% of the energy. */
	rank90: number;
	rank99: number;
	stable: number;
	effective: number;
	/** Cumulative energy at k = 1..n. */
	cumulative: Float64Array;
}

/** Every measure the figures show, for one spectrum. */
export function spectrumStats(s: ArrayLike<number>): SpectrumStats {
	const sigma = Float64Array.from(s);
	let sq = 0;
	for (const v of sigma) sq += v * v;
	return {
		n: sigma.length,
		frobenius: Math.sqrt(sq),
		sigma1: sigma[0] ?? 0,
		energy1: energyCaptured(sigma, 1),
		energy4: energyCaptured(sigma, Math.min(4, sigma.length)),
		energy8: energyCaptured(sigma, Math.min(8, sigma.length)),
		rank90: rankForEnergy(sigma, 0.9),
		rank99: rankForEnergy(sigma, 0.99),
		stable: stableRank(sigma),
		effective: effectiveRank(sigma),
		cumulative: cumulativeEnergy(sigma)
	};
}

const pct = (v: number) => `${Math.round(v * 100)}%`;

/**
 * The figure's text alternative: "The top 4 directions hold 47% of the update's energy; 90% needs
 * 17 of 128 …". `random` adds the comparison with a random matrix of the same shape.
 */
export function spectrumSentence(
	stats: SpectrumStats,
	what = "the update's",
	random?: SpectrumStats
): string {
	if (!(stats.frobenius > 0)) return `The matrix is still zero: ${what} spectrum is empty.`;
	const top = Math.min(4, stats.n);
	let out =
		`The top ${top} directions hold ${pct(stats.energy4)} of ${what} energy; ` +
		`90% needs ${stats.rank90} of ${stats.n} directions and 99% needs ${stats.rank99}. ` +
		`Stable rank ${stats.stable.toFixed(1)}, effective rank ${stats.effective.toFixed(1)}.`;
	if (random)
		out += ` A random matrix of the same shape and norm puts ${pct(random.energy4)} in its top ${top} and needs ${random.rank90} directions for 90%.`;
	return out;
}

const randomCache = new Map<string, Float64Array>();

/**
 * Singular values of a seeded Gaussian matrix [rows, cols] scaled to unit Frobenius norm, so that
 * `scaleSpectrum(randomUnitSpectrum(r, c), norm)` is a random matrix of that norm. Cached by shape
 * and seed; the returned array is shared, do not modify it.
 */
export function randomUnitSpectrum(rows: number, cols: number, seed = 1): Float64Array {
	const key = `${rows}x${cols}@${seed}`;
	let s = randomCache.get(key);
	if (!s) {
		const rng = createRng(seed).fork(`random ${key}`);
		const a = new Float64Array(rows * cols);
		for (let i = 0; i < a.length; i++) a[i] = rng.normal();
		s = singularValues(a, rows, cols);
		let sq = 0;
		for (const v of s) sq += v * v;
		const k = sq > 0 ? 1 / Math.sqrt(sq) : 0;
		for (let i = 0; i < s.length; i++) s[i] *= k;
		randomCache.set(key, s);
	}
	return s;
}

/** `s` times `norm`, as a new array (σ of c·A is c·σ of A). */
export function scaleSpectrum(s: ArrayLike<number>, norm: number): Float64Array {
	return Float64Array.from(s, (v) => v * norm);
}
