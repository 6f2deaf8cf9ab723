/**
 * The log axis of a singular-value chart: a domain that spans the largest value and reaches down
 * at most `decades` powers of ten (tiny values are drawn at the floor rather than stretching the
 * axis to 1e-8), and ticks on powers of ten inside it.
 */

/** 10^e, exact for negative e too (10 ** -4 is not 1e-4 in floating point). */
const pow10 = (e: number) => (e < 0 ? 1 / 10 ** -e : 10 ** e);

/** Domain [floor, top] for positive values; values ≤ 0 or non-finite are ignored. */
export function spectrumDomain(values: readonly number[], decades = 4): [number, number] {
	const pos = values.filter((v) => v > 0 && Number.isFinite(v));
	if (!pos.length) return [0.01, 1];
	const hi = Math.max(...pos);
	const lo = Math.max(Math.min(...pos), hi * 10 ** -decades);
	const top = pow10(Math.ceil(Math.log10(hi)));
	const floor = pow10(Math.floor(Math.log10(lo)));
	return [floor, top > floor ? top : floor * 10];
}

/** Powers of ten within a log domain (both ends included when they are powers of ten). */
export function decadeTicks(domain: readonly [number, number]): number[] {
	const out: number[] = [];
	const a = Math.ceil(Math.log10(domain[0]) - 1e-9);
	const b = Math.floor(Math.log10(domain[1]) + 1e-9);
	for (let e = a; e <= b; e++) out.push(pow10(e));
	return out;
}

/** Whole-number ticks for an index axis 1..n: about `count` of them, on round steps. */
export function indexTicks(n: number, count = 6): number[] {
	if (n <= 1) return [1];
	const raw = (n - 1) / Math.max(1, count - 1);
	const pow = 10 ** Math.floor(Math.log10(raw));
	const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? raw;
	const out = [1];
	for (let t = step; t <= n; t += step) if (t > 1) out.push(Math.round(t));
	return out;
}
