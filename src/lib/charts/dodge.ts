/**
 * Vertical label dodging: given the rows where labels would like to sit, move them apart the
 * least so that neighbours are at least `gap` pixels apart and all stay within [top, bottom].
 * Pure; used by charts that label points which may crowd (landmark models on a loss curve).
 */

/**
 * New rows for labels wanted at `ys`, in the input order: sorted, pushed down to keep `gap`, then
 * shifted back up as a block where they ran past `bottom`, and clamped at `top`.
 */
export function dodge(ys: readonly number[], gap: number, top: number, bottom: number): number[] {
	const order = ys.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y || a.i - b.i);
	const placed = order.map((o) => Math.min(bottom, Math.max(top, o.y)));
	for (let k = 1; k < placed.length; k++) placed[k] = Math.max(placed[k], placed[k - 1] + gap);
	for (let k = placed.length - 1; k >= 0; k--) {
		const limit = k === placed.length - 1 ? bottom : placed[k + 1] - gap;
		placed[k] = Math.max(top + k * gap, Math.min(placed[k], limit));
	}
	const out = new Array<number>(ys.length);
	order.forEach((o, k) => (out[o.i] = placed[k]));
	return out;
}
