import { readFileSync } from 'node:fs';
import { createRng } from '../../../src/lib/math/rng';

/** One matrix of scripts/fixtures/svd.py with LAPACK's (numpy.linalg.svd) answers. */
export interface SvdCase {
	name: string;
	kind: string;
	rows: number;
	cols: number;
	float32: boolean;
	a: number[];
	S: number[];
	energy: number[];
	stableRank: number;
	effectiveRank: number;
	truncation: { k: number; error: number }[];
}

/** Two LoRA A matrices (r×d, the paper's layout) and numpy's φ grid, r1×r2 row-major. */
export interface AdapterCase {
	d: number;
	r1: number;
	r2: number;
	a1: number[];
	a2: number[];
	phi: number[];
}

/** tests/fixtures/svd.json, written by scripts/fixtures/svd.py (seeded, independent of our code). */
export const fixture: { cases: SvdCase[]; adapters: AdapterCase } = JSON.parse(
	readFileSync(new URL('../../fixtures/svd.json', import.meta.url), 'utf8')
);

/** The case's matrix, as Float32Array where numpy computed on float32 input. */
export const input = (c: SvdCase) => (c.float32 ? Float32Array.from(c.a) : Float64Array.from(c.a));

/** A rows×cols matrix of seeded standard normal entries. */
export function gaussianMatrix(rows: number, cols: number, seed: number): Float64Array {
	const rng = createRng(seed);
	return Float64Array.from({ length: rows * cols }, () => rng.normal());
}
