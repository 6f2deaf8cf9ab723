/**
 * The SVD benchmark page (index.html?part=svd): times our `singularValues` and `svd` against
 * ml-matrix's `SingularValueDecomposition` (JAMA's Householder bidiagonalisation and Golub–Kahan
 * QR, the same method as ours, on transposed row arrays) on the same seeded Gaussian matrices,
 * like for like: singular values only against ml-matrix with both vector options off, the full
 * decomposition against ml-matrix computing U and V. The four are interleaved in each repetition,
 * so that a busy moment on the machine slows them all alike; medians go to `window.benchResult`
 * for scripts/bench.js. `&sizes=256x256,64x64` and `&reps=` pick the cases.
 */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { createRng } from '$lib/math/rng';
import { singularValues, svd } from '$lib/math/svd';

interface SvdRow {
	rows: number;
	cols: number;
	reps: number;
	/** Median milliseconds of each contender. */
	ms: Record<string, number>;
	/** Largest |σ_ours − σ_ml-matrix| / σ₁: both must compute the same thing. */
	agreement: number;
}

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	const h = s.length >> 1;
	return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

function time(f: () => unknown): number {
	const t0 = performance.now();
	f();
	return performance.now() - t0;
}

function bench(rows: number, cols: number, reps: number): SvdRow {
	const rng = createRng(`svd bench ${rows}x${cols}`);
	const a = Float64Array.from({ length: rows * cols }, () => rng.normal());
	const m = new Matrix(rows, cols);
	for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, a[i * cols + j]);
	// autoTranspose: ml-matrix decomposes a wide matrix through its transpose, as we do.
	const valuesOnly = {
		computeLeftSingularVectors: false,
		computeRightSingularVectors: false,
		autoTranspose: true
	};
	const contenders: Record<string, () => unknown> = {
		'ours: singularValues': () => singularValues(a, rows, cols),
		'ml-matrix: values only': () => new SingularValueDecomposition(m, valuesOnly),
		'ours: svd': () => svd(a, rows, cols),
		'ml-matrix: svd (U, S, V)': () => new SingularValueDecomposition(m, { autoTranspose: true })
	};
	const times: Record<string, number[]> = {};
	for (const [name, f] of Object.entries(contenders)) {
		times[name] = [];
		// Warm-up: V8 optimises a function only after it has run hot for a while, so each gets
		// 30 calls or half a second before anything is timed.
		const t0 = performance.now();
		for (let i = 0; i < 30 && performance.now() - t0 < 500; i++) f();
	}
	for (let r = 0; r < reps; r++)
		for (const [name, f] of Object.entries(contenders)) times[name].push(time(f));
	const ours = singularValues(a, rows, cols);
	const theirs = new SingularValueDecomposition(m, valuesOnly).diagonal;
	let agreement = 0;
	for (let i = 0; i < ours.length; i++)
		agreement = Math.max(agreement, Math.abs(ours[i] - theirs[i]) / ours[0]);
	const ms = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
	return { rows, cols, reps, ms, agreement };
}

function main() {
	const q = new URLSearchParams(location.search);
	const reps = Number(q.get('reps') ?? 9);
	const sizes = (q.get('sizes') ?? '256x256,64x64,128x512').split(',');
	const rows: SvdRow[] = [];
	for (const size of sizes) {
		const [r, c] = size.split('x').map(Number);
		rows.push(bench(r, c, reps));
		document.getElementById('out')!.textContent = JSON.stringify(rows, null, 1);
	}
	(window as unknown as { benchResult: unknown }).benchResult = { rows };
}

try {
	main();
} catch (e) {
	(window as unknown as { benchResult: unknown }).benchResult = {
		error: String((e as Error)?.message ?? e)
	};
}
