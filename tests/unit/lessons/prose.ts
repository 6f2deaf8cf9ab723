/**
 * For tests that tie a lesson's prose to recorded numbers: the gap between two accuracies as the
 * lessons print it, in points with one decimal and no sign ("13.4"; negative when `a` < `b`).
 */
export function gapPoints(a: number, b: number): string {
	return (Math.round((a - b) * 1000) / 10).toFixed(1);
}
