/**
 * Words and numbers shared by lesson 3's figures: how bytes, parameter counts and FLOPs read
 * (GB = 10⁹ bytes, as in the papers), the GPU memory sizes the figures mark, and each method's
 * name. Every formatter returns "–" for a value that is not a finite number, so a figure can
 * never show NaN or Infinity.
 */
import type { Method } from '$lib/math/memory';

/** GPU memory sizes a reader is likely to own, in GB (10⁹ bytes): 16, 24, 48, 80 and 141 GB. */
export const GPU_GB = [16, 24, 48, 80, 141] as const;

/** What a non-finite number reads as. */
const MISSING = '–';

/** Three significant digits, trailing zeros dropped: 1.20, 31.4, 120 → "1.2", "31.4", "120". */
function sig3(v: number): string {
	return String(+v.toPrecision(3));
}

/** Bytes in decimal units: "512 B", "8.4 MB", "113 GB", "2.8 TB". */
export function formatBytes(bytes: number): string {
	if (!Number.isFinite(bytes)) return MISSING;
	const units: [number, string][] = [
		[1e12, 'TB'],
		[1e9, 'GB'],
		[1e6, 'MB'],
		[1e3, 'KB']
	];
	for (const [size, unit] of units)
		if (Math.abs(bytes) >= size) return `${sig3(bytes / size)} ${unit}`;
	return `${Math.round(bytes)} B`;
}

/** A byte count written out in full: "240,852 B". */
export function formatExactBytes(bytes: number): string {
	return Number.isFinite(bytes) ? `${Math.round(bytes).toLocaleString('en-US')} B` : MISSING;
}

/** A count in short form: "60,213", "4.19M", "6.74B", "175T". */
export function formatCount(n: number): string {
	if (!Number.isFinite(n)) return MISSING;
	if (Math.abs(n) < 1e5) return Math.round(n).toLocaleString('en-US');
	const units: [number, string][] = [
		[1e12, 'T'],
		[1e9, 'B'],
		[1e6, 'M'],
		[1e3, 'K']
	];
	for (const [size, unit] of units) if (Math.abs(n) >= size) return `${sig3(n / size)}${unit}`;
	return String(n);
}

/** A fraction as a percentage with enough digits to be non-zero: 1 → "100%", 6.2e-4 → "0.062%". */
export function formatPercent(fraction: number): string {
	if (!Number.isFinite(fraction)) return MISSING;
	const p = fraction * 100;
	if (p === 0) return '0%';
	if (p >= 10) return `${+p.toFixed(1)}%`;
	return `${sig3(p)}%`;
}

/** FLOPs in scientific notation: "2.1 × 10¹³". */
export function formatFlops(flops: number): string {
	if (!Number.isFinite(flops) || flops <= 0) return MISSING;
	const e = Math.floor(Math.log10(flops));
	const sup = String(e)
		.split('')
		.map((c) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[Number(c)])
		.join('');
	return `${+(flops / 10 ** e).toFixed(2)} × 10${sup}`;
}

/** The smallest marked GPU that holds `bytes`, in GB, or null when none does. */
export function smallestGpu(bytes: number): number | null {
	return GPU_GB.find((gb) => bytes <= gb * 1e9) ?? null;
}

/** Each method's name as the lesson writes it. */
export const METHOD_NAMES: Record<Method, string> = {
	full: 'Full fine-tuning',
	lora: 'LoRA',
	qlora: 'QLoRA',
	prefix: 'Prefix tuning',
	prompt: 'Prompt tuning',
	bitfit: 'BitFit',
	ia3: '(IA)³',
	adapter: 'Adapters'
};

/** The four parts of training memory, in stacking order, with the chart colour of each. */
export const MEMORY_PARTS = [
	{ id: 'weights', label: 'Weights', color: 'var(--series-1)' },
	{ id: 'gradients', label: 'Gradients', color: 'var(--series-2)' },
	{ id: 'optimizer', label: 'Optimizer state', color: 'var(--series-3)' },
	{ id: 'activations', label: 'Activations', color: 'var(--series-4)' }
] as const;
