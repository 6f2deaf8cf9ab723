/** Small pure helpers of lesson 4's rank figure: LoRA's parameter count, the k grid, byte units. */

/** Trainable parameters of a rank-r LoRA adapter on one d_in × d_out matrix: r·(d_in + d_out). */
export function loraCount(r: number, inDim: number, outDim: number): number {
	return r * (inDim + outDim);
}

/**
 * The k at which a truncation is scored for a matrix of full rank n: every k up to 8, then
 * roughly 1.5× apart, always ending at n. Sorted, unique, 0 included (the update dropped).
 */
export function truncationKs(n: number): number[] {
	const out = new Set<number>();
	for (let k = 0; k <= Math.min(8, n); k++) out.add(k);
	for (let k = 12; k < n; k = Math.round(k * 1.5)) out.add(k);
	out.add(n);
	return [...out].sort((a, b) => a - b);
}

/** Bytes as KB or MB (10³, 10⁶), three significant figures. */
export function formatBytes(b: number): string {
	if (b >= 1e6) return `${(b / 1e6).toPrecision(3)} MB`;
	if (b >= 1e3) return `${(b / 1e3).toPrecision(3)} KB`;
	return `${b} B`;
}
