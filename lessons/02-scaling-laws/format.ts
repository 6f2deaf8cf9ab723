/**
 * Number formats of lesson 2: parameter and token counts as "40.4B" or "2.38T", compute as
 * "5.76 × 10²³ FLOP", memory in GB or TB, and a power of ten for log-axis ticks.
 */

const SUPER: Record<string, string> = {
	'-': '⁻',
	'0': '⁰',
	'1': '¹',
	'2': '²',
	'3': '³',
	'4': '⁴',
	'5': '⁵',
	'6': '⁶',
	'7': '⁷',
	'8': '⁸',
	'9': '⁹'
};

/** 10^k with a superscript exponent ("10²³"). */
export function powerOfTen(k: number): string {
	return `10${String(k)
		.split('')
		.map((c) => SUPER[c] ?? c)
		.join('')}`;
}

/** A log-axis tick: the power of ten when the value is one, else three significant digits. */
export function tickLabel(v: number): string {
	const k = Math.round(Math.log10(v));
	return Math.abs(v / 10 ** k - 1) < 1e-9 ? powerOfTen(k) : String(+v.toPrecision(3));
}

/** A count with a suffix and three significant digits: 160, 19.2K, 40.4B, 2.38T. */
export function formatCount(n: number): string {
	const units: [number, string][] = [
		[1e12, 'T'],
		[1e9, 'B'],
		[1e6, 'M'],
		[1e3, 'K']
	];
	for (const [size, suffix] of units)
		if (n >= size) return `${+(n / size).toPrecision(3)}${suffix}`;
	return String(+n.toPrecision(3));
}

/** Compute as "5.76 × 10²³ FLOP". */
export function formatFlop(c: number): string {
	const k = Math.floor(Math.log10(c) + 1e-9);
	const m = +(c / 10 ** k).toPrecision(3);
	return m === 1 ? `${powerOfTen(k)} FLOP` : `${m} × ${powerOfTen(k)} FLOP`;
}

/** Bytes as GB (10⁹) below a terabyte, TB above. */
export function formatBytes(bytes: number): string {
	const gb = bytes / 1e9;
	if (gb >= 1000) return `${+(gb / 1000).toPrecision(3)} TB`;
	return `${+gb.toPrecision(3)} GB`;
}
