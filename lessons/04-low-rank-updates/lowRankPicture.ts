/**
 * The arithmetic of lesson 4's instant low-rank explorable and of its LoRA picture, as pure
 * functions. The explorable's picture is a mosaic of the shipped handwritten digits (a real
 * matrix, not a drawing made to be low-rank); its SVD is taken once, and each move of the slider
 * only re-sums k rank-one terms (`reconstruct` in `$lib/math/spectrum`) and reads the error and
 * the energy off the singular values, which Eckart–Young says must agree with the copy itself.
 */
import { energyCaptured, truncationError } from '$lib/math/spectrum';

/** Digits per side of the mosaic: 12 × 12 digits of 8 × 8 pixels make a 96 × 96 picture. */
export const MOSAIC_TILES = 12;
/** Side of one digit in pixels. */
export const TILE_SIDE = 8;
/** Side of the mosaic in pixels (rows = columns). */
export const MOSAIC_SIDE = MOSAIC_TILES * TILE_SIDE;

/**
 * A square picture of `tiles × tiles` digits, the first `tiles²` images of `x` in reading order.
 * @param x pixels [n, side·side], row-major per image, as `parseDigits` returns them (0 to 1)
 * @returns a new (tiles·side) × (tiles·side) row-major matrix of the same pixel values
 */
export function digitMosaic(
	x: ArrayLike<number>,
	tiles = MOSAIC_TILES,
	side = TILE_SIDE
): Float64Array {
	const per = side * side;
	if (x.length < tiles * tiles * per)
		throw new RangeError(`a ${tiles}×${tiles} mosaic needs ${tiles * tiles} images`);
	const width = tiles * side;
	const out = new Float64Array(width * width);
	for (let t = 0; t < tiles * tiles; t++) {
		const top = Math.floor(t / tiles) * side;
		const left = (t % tiles) * side;
		for (let r = 0; r < side; r++) {
			for (let c = 0; c < side; c++) out[(top + r) * width + left + c] = x[t * per + r * side + c];
		}
	}
	return out;
}

/** What the rank-k copy keeps, read off the singular values alone. */
export interface CopyStats {
	k: number;
	/** Σ_{i≤k} σᵢ² / Σ σᵢ², in [0, 1]. */
	energy: number;
	/** ‖A − A_k‖_F / ‖A‖_F = sqrt(Σ_{i>k} σᵢ²) / ‖A‖_F, in [0, 1]. */
	error: number;
	/** Numbers the copy stores as k·(rows + cols) (U·diag(S) and V), against rows·cols. */
	stored: number;
}

/**
 * The energy the top k directions hold and the relative Frobenius error of the best rank-k copy
 * (Eckart–Young), for a rows × cols matrix with singular values `s` (descending).
 */
export function copyStats(s: ArrayLike<number>, k: number, rows: number, cols: number): CopyStats {
	const norm = truncationError(s, 0);
	return {
		k,
		energy: energyCaptured(s, k),
		error: norm === 0 ? 0 : truncationError(s, k) / norm,
		stored: k * (rows + cols)
	};
}

/** ‖a − b‖_F / ‖a‖_F for two matrices of the same length (0 when a is zero and b equals it). */
export function relativeDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
	if (a.length !== b.length) throw new RangeError('relativeDistance: lengths differ');
	let diff = 0;
	let norm = 0;
	for (let i = 0; i < a.length; i++) {
		diff += (a[i] - b[i]) ** 2;
		norm += a[i] * a[i];
	}
	return norm === 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
}

/** LoRA's trainable numbers on one d × k matrix at rank r, r·(d + k), and their share of d·k. */
export function loraShare(r: number, d: number, k: number): { trainable: number; share: number } {
	const trainable = r * (d + k);
	return { trainable, share: trainable / (d * k) };
}
