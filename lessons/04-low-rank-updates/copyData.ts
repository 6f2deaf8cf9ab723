/**
 * The heavy half of lesson 4's instant explorable, loaded only when the figure nears the screen:
 * fetch and check the shipped digits, build the 96 × 96 mosaic and take its SVD once. Each move
 * of the slider then only re-sums k rank-one terms with `reconstruct`.
 */
import { reconstruct } from '$lib/math/spectrum';
import { svd, type Svd } from '$lib/math/svd';
import { loadDigits } from '$lib/trainer/assets';
import { MOSAIC_SIDE, digitMosaic } from './lowRankPicture';

/** The picture (MOSAIC_SIDE² pixels, row-major, 0 to 1) and its thin SVD; caller owns both. */
export interface Picture {
	A: Float64Array;
	dec: Svd;
	/** The best rank-k copy, Σ_{i≤k} σᵢuᵢvᵢᵀ, as a new MOSAIC_SIDE² array. */
	copy: (k: number) => Float64Array;
}

/** Load the digits under `assets` (the site's asset base URL, ending in `/`) and decompose. */
export async function loadPicture(assets: string): Promise<Picture> {
	const digits = await loadDigits(assets);
	const A = digitMosaic(digits.x);
	const dec = svd(A, MOSAIC_SIDE, MOSAIC_SIDE);
	return { A, dec, copy: (k) => reconstruct(dec, MOSAIC_SIDE, MOSAIC_SIDE, k) };
}
