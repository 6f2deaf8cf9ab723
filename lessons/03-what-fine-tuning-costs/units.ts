/**
 * Words and numbers shared by lesson 3's figures: the GPU memory sizes the figures mark and the
 * parts of training memory. Method names come from the course's method table (`$lib/math/methods`)
 * and the number formats (bytes, counts, FLOPs; GB = 10⁹ bytes, "–" for a value that is not
 * finite) from `$lib/format`; both are re-exported here for the figures that import them.
 */
export {
	formatBytes,
	formatCount,
	formatExactBytes,
	formatPercent,
	scientific as formatFlops
} from '$lib/format';
export { METHOD_NAMES } from '$lib/math/methods';

/** GPU memory sizes a reader is likely to own, in GB (10⁹ bytes): 16, 24, 48, 80 and 141 GB. */
export const GPU_GB = [16, 24, 48, 80, 141] as const;

/** The smallest marked GPU that holds `bytes`, in GB, or null when none does. */
export function smallestGpu(bytes: number): number | null {
	return GPU_GB.find((gb) => bytes <= gb * 1e9) ?? null;
}

/** The four parts of training memory, in stacking order, with the chart colour of each. */
export const MEMORY_PARTS = [
	{ id: 'weights', label: 'Weights', color: 'var(--series-1)' },
	{ id: 'gradients', label: 'Gradients', color: 'var(--series-2)' },
	{ id: 'optimizer', label: 'Optimizer state', color: 'var(--series-3)' },
	{ id: 'activations', label: 'Activations', color: 'var(--series-4)' }
] as const;
