/**
 * The digits the shift lab's dial moves, shown as the fine-tuning data see them: a fixed handful of
 * held-out images, one of each of a few classes, run through the same `domainShift` that makes the
 * grid's tasks (same split, same seed), so the pictures beside the dial are the data the recorded
 * runs were scored on. Also each image's own draws (rotation, move, scale) and the sentence that
 * stands in for the pictures for a screen reader. Plain TypeScript: no tfjs, no DOM.
 */
import { createRng } from '$lib/math/rng';
import {
	DIGIT_PIXELS,
	MAX_ROTATION_DEG,
	MAX_SCALE_CHANGE,
	MAX_SHIFT_PX,
	domainShift,
	domainShiftParts,
	pixelPermutation,
	selectRows,
	type DigitsSet
} from '$lib/model/data/digits';
import { SHIFT_TRAINING } from './shiftLab';

/** The classes shown, one held-out image of each, in this order. */
export const EXAMPLE_CLASSES = [2, 3, 4, 5, 7, 9] as const;

/** The seed of the grid's tasks: the same one shifts the pictures. */
export const EXAMPLE_SEED = SHIFT_TRAINING.seed;

/**
 * Rows of `test` (the held-out split of `splitDigits`) to show: the first image of each class of
 * `EXAMPLE_CLASSES`. @returns row indices into `test`, in the classes' order.
 */
export function exampleRows(test: DigitsSet): number[] {
	return EXAMPLE_CLASSES.map((c) => {
		for (let i = 0; i < test.n; i++) if (test.y[i] === c) return i;
		throw new RangeError(`no held-out image of class ${c}`);
	});
}

/** One image as the dial leaves it. */
export interface ShiftedExample {
	/** The digit it shows. */
	label: number;
	/** Its row in the shipped file. */
	id: number;
	/** Pixels in [0, 1], row-major, [64]; caller owns. */
	pixels: Float32Array;
}

/**
 * The examples (the clean images `examples`, from `exampleSet`) shifted to `s` with the grid's
 * seed. An image's draws depend only on the seed and its id, so these are exactly the pixels the
 * whole held-out split has at `s`. @returns new arrays, caller owns.
 */
export function shiftExamples(examples: DigitsSet, s: number): ShiftedExample[] {
	const shifted = domainShift(examples, EXAMPLE_SEED, s);
	return Array.from({ length: shifted.n }, (_, i) => ({
		label: shifted.y[i],
		id: shifted.ids[i],
		pixels: shifted.x.slice(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS)
	}));
}

/** The clean images to show, picked from the held-out split. @returns new arrays, caller owns. */
export function exampleSet(test: DigitsSet): DigitsSet {
	return selectRows(test, exampleRows(test));
}

/** An image's affine draw at distortion a: degrees (positive: clockwise on screen), pixels, scale. */
export interface AffineDraw {
	rotationDeg: number;
	/** Move to the right, in pixels. */
	dx: number;
	/** Move down, in pixels. */
	dy: number;
	/** Size relative to the original (1.08: 8% larger). */
	scale: number;
}

/**
 * The draws `affineDistort` makes for the image with `id` at distortion `a`, in its order: the
 * rotation, the move along x and y, the scale, each uniform in ±1 times its maximum times a.
 */
export function affineDraw(id: number, a: number, seed = EXAMPLE_SEED): AffineDraw {
	const r = createRng(seed).fork('affine').fork(id);
	const rotationDeg = r.uniform(-1, 1) * a * MAX_ROTATION_DEG;
	const dx = r.uniform(-1, 1) * a * MAX_SHIFT_PX;
	const dy = r.uniform(-1, 1) * a * MAX_SHIFT_PX;
	const scale = 1 + r.uniform(-1, 1) * a * MAX_SCALE_CHANGE;
	return { rotationDeg, dx, dy, scale };
}

/** "turned 12° clockwise, moved 0.4 px right and 1.1 px up, 8% larger" (parts near 0 left out). */
export function describeDraw(d: AffineDraw): string {
	const parts: string[] = [];
	const deg = Math.round(Math.abs(d.rotationDeg));
	if (deg >= 1) parts.push(`turned ${deg}° ${d.rotationDeg > 0 ? 'clockwise' : 'anticlockwise'}`);
	const moves = [
		[d.dx, 'right', 'left'],
		[d.dy, 'down', 'up']
	] as const;
	const moved = moves
		.filter(([v]) => Math.abs(v) >= 0.05)
		.map(([v, pos, neg]) => `${Math.abs(v).toFixed(1)} px ${v > 0 ? pos : neg}`);
	if (moved.length) parts.push(`moved ${moved.join(' and ')}`);
	const pct = Math.round((d.scale - 1) * 100);
	if (pct !== 0) parts.push(`${Math.abs(pct)}% ${pct > 0 ? 'larger' : 'smaller'}`);
	return parts.length ? parts.join(', ') : 'barely changed';
}

/**
 * The text alternative of the pictures at shift s: which digits, what the dial did to each, and how
 * many pixel positions it scrambled.
 */
export function describeExamples(examples: readonly ShiftedExample[], s: number): string {
	const { distortion, permuted } = domainShiftParts(s);
	const digits = examples.map((e) => e.label).join(', ');
	if (distortion === 0)
		return `Held-out digits ${digits} at shift ${s.toFixed(2)}: clean, as in pretraining.`;
	const each = examples
		.map((e) => `${e.label} ${describeDraw(affineDraw(e.id, distortion))}`)
		.join('; ');
	const map = pixelPermutation(EXAMPLE_SEED, permuted);
	const scrambled = map.filter((from, p) => from !== p).length;
	const tail =
		scrambled > 0
			? ` Then ${scrambled} of the 64 pixel positions are scrambled, the same way in every image.`
			: '';
	return `Held-out digits ${digits} at shift ${s.toFixed(2)}: ${each}.${tail}`;
}
