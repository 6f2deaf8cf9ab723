/**
 * The course's number formats in one place: percentages, bytes, counts, powers of ten and
 * scientific notation. Bytes are decimal (1 GB = 10⁹ bytes, as in the papers). A lesson that prints
 * a number imports its format from here, so the same quantity reads the same on every page.
 *
 * Two "missing" marks, kept as the lessons have always shown them: `pct` writes an em dash (—) for
 * an accuracy not yet measured; the byte, count and compute formats write an en dash (–) for a value
 * that is not a finite number. Neither ever prints NaN or Infinity.
 */

/** What `pct` writes for a value that is missing or not finite. */
export const NO_VALUE = '—';

/** What the byte, count and compute formats write for a value that is not finite. */
export const MISSING = '–';

const SUPERSCRIPT: Record<string, string> = {
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

/** Three significant digits, trailing zeros dropped: 1.20, 31.4, 120 → "1.2", "31.4", "120". */
export function sig3(v: number): string {
	return String(+v.toPrecision(3));
}

/** 10^k with a superscript exponent: 23 → "10²³", −3 → "10⁻³". */
export function powerOfTen(k: number): string {
	return `10${String(k)
		.split('')
		.map((c) => SUPERSCRIPT[c] ?? c)
		.join('')}`;
}

/** A log-axis tick: the power of ten when the value is one, else three significant digits. */
export function tickLabel(v: number): string {
	const k = Math.round(Math.log10(v));
	return Math.abs(v / 10 ** k - 1) < 1e-9 ? powerOfTen(k) : sig3(v);
}

/**
 * A fraction as a percentage with fixed decimals (one unless told): 0.9137 → "91.4%"; missing →
 * "—". The digits go in an options object, so that a stray second argument (an index from
 * `map`) is a type error rather than a change of decimals.
 */
export function pct(
	v: number | null | undefined,
	{ digits = 1 }: { digits?: number } = {}
): string {
	return v === undefined || v === null || !Number.isFinite(v)
		? NO_VALUE
		: `${(v * 100).toFixed(digits)}%`;
}

/** A fraction as a percentage with enough digits to be non-zero: 1 → "100%", 6.2e-4 → "0.062%". */
export function formatPercent(fraction: number): string {
	if (!Number.isFinite(fraction)) return MISSING;
	const p = fraction * 100;
	if (p === 0) return '0%';
	if (p >= 10) return `${+p.toFixed(1)}%`;
	return `${sig3(p)}%`;
}

/** The units bytes are written in, largest first. */
const BYTE_UNITS = [
	[1e12, 'TB'],
	[1e9, 'GB'],
	[1e6, 'MB'],
	[1e3, 'KB'],
	[1, 'B']
] as const;

export type ByteUnit = (typeof BYTE_UNITS)[number][1];

export interface ByteFormat {
	/** The smallest unit used; smaller amounts are written as fractions of it ("0.5 GB"). */
	smallest?: ByteUnit;
	/** The largest unit used; larger amounts are written as multiples of it ("2000 MB"). */
	largest?: ByteUnit;
	/** Keep trailing zeros of the three significant digits ("1.20 MB" rather than "1.2 MB"). */
	keepZeros?: boolean;
}

/**
 * Bytes in decimal units, three significant digits: "512 B", "8.4 MB", "113 GB", "2.8 TB".
 * `smallest` and `largest` bound the units: `{ smallest: 'GB' }` writes "0.5 GB" and "12.9 TB".
 */
export function formatBytes(
	bytes: number,
	{ smallest = 'B', largest = 'TB', keepZeros = false }: ByteFormat = {}
): string {
	if (!Number.isFinite(bytes)) return MISSING;
	const from = BYTE_UNITS.findIndex(([, u]) => u === largest);
	const to = BYTE_UNITS.findIndex(([, u]) => u === smallest);
	for (const [size, unit] of BYTE_UNITS.slice(from, to + 1)) {
		if (Math.abs(bytes) < size && unit !== smallest) continue;
		if (unit === 'B') return `${Math.round(bytes)} B`;
		const v = bytes / size;
		return `${keepZeros ? v.toPrecision(3) : sig3(v)} ${unit}`;
	}
	return MISSING;
}

/** A byte count written out in full: "240,852 B". */
export function formatExactBytes(bytes: number): string {
	return Number.isFinite(bytes) ? `${Math.round(bytes).toLocaleString('en-US')} B` : MISSING;
}

const COUNT_UNITS = [
	[1e12, 'T'],
	[1e9, 'B'],
	[1e6, 'M'],
	[1e3, 'K']
] as const;

/**
 * A count in short form: "60,213", "4.19M", "6.74B", "175T". Counts below `exactBelow` (10⁵ unless
 * told) are written out in full; `exactBelow: 0` gives every count a suffix ("19.2K", "160").
 */
export function formatCount(n: number, { exactBelow = 1e5 }: { exactBelow?: number } = {}): string {
	if (!Number.isFinite(n)) return MISSING;
	if (Math.abs(n) < exactBelow) return Math.round(n).toLocaleString('en-US');
	for (const [size, unit] of COUNT_UNITS)
		if (Math.abs(n) >= size) return `${sig3(n / size)}${unit}`;
	return sig3(n);
}

/**
 * A positive number as mantissa × power of ten, three significant digits: "2.1 × 10¹³". With
 * `bareOne`, a mantissa of exactly 1 is left out ("10²⁶").
 */
export function scientific(v: number, { bareOne = false }: { bareOne?: boolean } = {}): string {
	if (!Number.isFinite(v) || v <= 0) return MISSING;
	const k = Math.floor(Math.log10(v) + 1e-9);
	const m = +(v / 10 ** k).toPrecision(3);
	return bareOne && m === 1 ? powerOfTen(k) : `${m} × ${powerOfTen(k)}`;
}
