/**
 * The UCI 8×8 handwritten digits (Alpaydin & Kaynak 1998, CC BY 4.0) and the fine-tuning tasks
 * built on them. The data ship as static/data/digits/digits.bin (see scripts/data/digits.js);
 * this module parses those bytes, makes a fixed stratified train/test split, and defines tasks that
 * range from a small shift to a large drift, so a lesson can show where parameter-efficient
 * fine-tuning keeps up with full fine-tuning and where it falls behind.
 *
 * Two pretrained bases are assumed: `digits10`, trained on all ten classes of clean images, and
 * `digits5`, trained on classes 0–4 only. Every fine-tuning task names the base it starts from.
 * Each task is a pure function (data, seed, strength) → new typed arrays; no input is mutated. The
 * randomness of a task has two parts: task-wide choices (the pixel permutation, the relabelling)
 * come from `seed`, and per-image choices (an image's rotation and shift) from `seed` and the
 * image's id, so an image is distorted the same way whichever split or order it sits in.
 * Plain TypeScript: no tfjs, runs in Node, the browser and a worker.
 */

import { createRng } from '../../math/rng';

/** Side of the square image. */
export const DIGIT_SIDE = 8;
/** Pixels per image (8 × 8). */
export const DIGIT_PIXELS = DIGIT_SIDE * DIGIT_SIDE;
/** Largest raw pixel value (a count of set pixels in a 4×4 block). */
export const DIGIT_MAX_VALUE = 16;
/** Samples in the shipped file. */
export const DIGIT_SAMPLES = 1797;
/** Samples per class 0..9 in the shipped file. */
export const DIGIT_CLASS_COUNTS: readonly number[] = [
	178, 182, 177, 183, 181, 182, 181, 179, 174, 180
];
/** Seed of the fixed train/test split. */
export const DIGITS_SPLIT_SEED = 20240601;
/** Share of each class held out for testing. */
export const DIGITS_TEST_FRACTION = 0.2;

/**
 * A set of digit images. `x: Float32Array [n, 64]` holds pixels scaled to [0, 1], row-major per
 * image (row r, column c at r·8 + c). `y: Uint8Array [n]` holds class labels. `ids: Uint16Array [n]`
 * holds each image's row in the shipped file, which follows it through splits and tasks.
 */
export interface DigitsSet {
	readonly x: Float32Array;
	readonly y: Uint8Array;
	readonly ids: Uint16Array;
	readonly n: number;
}

/**
 * Parses digits.bin: n·64 Uint8 pixels (0–16) then n Uint8 labels (0–9), no header.
 * @returns a new DigitsSet, caller owns; ids are 0..n−1.
 */
export function parseDigits(bytes: Uint8Array): DigitsSet {
	const per = DIGIT_PIXELS + 1;
	if (bytes.length === 0 || bytes.length % per !== 0) {
		throw new RangeError(`digits.bin must hold n·65 bytes, got ${bytes.length}`);
	}
	const n = bytes.length / per;
	const x = new Float32Array(n * DIGIT_PIXELS);
	for (let i = 0; i < n * DIGIT_PIXELS; i++) {
		const v = bytes[i];
		if (v > DIGIT_MAX_VALUE) throw new RangeError(`pixel ${i} is ${v}, above 16`);
		x[i] = v / DIGIT_MAX_VALUE;
	}
	const y = bytes.slice(n * DIGIT_PIXELS);
	for (let i = 0; i < n; i++) {
		if (y[i] > 9) throw new RangeError(`label ${i} is ${y[i]}, above 9`);
	}
	const ids = new Uint16Array(n);
	for (let i = 0; i < n; i++) ids[i] = i;
	return { x, y, ids, n };
}

/** The samples at `rows` (indices into `data`), in that order. @returns new arrays, caller owns. */
export function selectRows(data: DigitsSet, rows: ArrayLike<number>): DigitsSet {
	const n = rows.length;
	const x = new Float32Array(n * DIGIT_PIXELS);
	const y = new Uint8Array(n);
	const ids = new Uint16Array(n);
	for (let i = 0; i < n; i++) {
		const r = rows[i];
		x.set(data.x.subarray(r * DIGIT_PIXELS, (r + 1) * DIGIT_PIXELS), i * DIGIT_PIXELS);
		y[i] = data.y[r];
		ids[i] = data.ids[r];
	}
	return { x, y, ids, n };
}

/**
 * A stratified split: from each class, a seeded `testFraction` (rounded) goes to test, the rest to
 * train. Both keep the input's order. With the defaults this is the course's fixed split (1,438
 * train, 359 test on the shipped file). @returns new sets, caller owns.
 */
export function splitDigits(
	data: DigitsSet,
	testFraction = DIGITS_TEST_FRACTION,
	seed = DIGITS_SPLIT_SEED
): { train: DigitsSet; test: DigitsSet } {
	const rng = createRng(seed);
	const isTest = new Uint8Array(data.n);
	for (let c = 0; c < 10; c++) {
		const rows: number[] = [];
		for (let i = 0; i < data.n; i++) if (data.y[i] === c) rows.push(i);
		rng.fork(`class-${c}`).shuffle(rows);
		const k = Math.round(rows.length * testFraction);
		for (let j = 0; j < k; j++) isTest[rows[j]] = 1;
	}
	const train: number[] = [];
	const test: number[] = [];
	for (let i = 0; i < data.n; i++) (isTest[i] ? test : train).push(i);
	return { train: selectRows(data, train), test: selectRows(data, test) };
}

/** Keeps only the classes in `classes` and renames class classes[k] to k. @returns new arrays. */
export function keepClasses(data: DigitsSet, classes: readonly number[]): DigitsSet {
	const rows: number[] = [];
	for (let i = 0; i < data.n; i++) if (classes.includes(data.y[i])) rows.push(i);
	const out = selectRows(data, rows);
	for (let i = 0; i < out.n; i++) out.y[i] = classes.indexOf(out.y[i]);
	return out;
}

/** Largest rotation of the affine family at distortion 1, in degrees. */
export const MAX_ROTATION_DEG = 30;
/** Largest translation along each axis at distortion 1, in pixels. */
export const MAX_SHIFT_PX = 2;
/** Largest relative change of scale at distortion 1 (±20%). */
export const MAX_SCALE_CHANGE = 0.2;

/**
 * Random affine distortions, one per image, resampled bilinearly on the 8×8 grid with zeros outside
 * it. At distortion `a` in [0, 1] each image gets a rotation uniform in ±30°·a about the centre, a
 * shift uniform in ±2a px along each axis and a scale uniform in 1 ± 0.2a. The image's underlying
 * draws depend only on `seed` and its id, so a larger `a` distorts the same image further in the
 * same direction. Values stay in [0, 1] (bilinear weights are convex, outside counts as 0); a = 0
 * is the identity. @returns new arrays, caller owns.
 */
export function affineDistort(data: DigitsSet, seed: number, a: number): DigitsSet {
	checkUnit('distortion', a);
	const out = copySet(data);
	if (a === 0) return out;
	const root = createRng(seed).fork('affine');
	const c = (DIGIT_SIDE - 1) / 2;
	for (let i = 0; i < data.n; i++) {
		const r = root.fork(data.ids[i]);
		const angle = (r.uniform(-1, 1) * a * MAX_ROTATION_DEG * Math.PI) / 180;
		const tx = r.uniform(-1, 1) * a * MAX_SHIFT_PX;
		const ty = r.uniform(-1, 1) * a * MAX_SHIFT_PX;
		const scale = 1 + r.uniform(-1, 1) * a * MAX_SCALE_CHANGE;
		// Inverse map: output pixel p came from source R(−θ)·(p − c − t)/s + c.
		const cos = Math.cos(angle) / scale;
		const sin = Math.sin(angle) / scale;
		const src = data.x.subarray(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS);
		const dst = out.x.subarray(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS);
		for (let row = 0; row < DIGIT_SIDE; row++) {
			for (let col = 0; col < DIGIT_SIDE; col++) {
				const dx = col - c - tx;
				const dy = row - c - ty;
				const sx = cos * dx + sin * dy + c;
				const sy = -sin * dx + cos * dy + c;
				dst[row * DIGIT_SIDE + col] = Math.min(1, Math.max(0, bilinear(src, sx, sy)));
			}
		}
	}
	return out;
}

function bilinear(img: Float32Array, sx: number, sy: number): number {
	const x0 = Math.floor(sx);
	const y0 = Math.floor(sy);
	const fx = sx - x0;
	const fy = sy - y0;
	const at = (x: number, y: number) =>
		x < 0 || y < 0 || x >= DIGIT_SIDE || y >= DIGIT_SIDE ? 0 : img[y * DIGIT_SIDE + x];
	return (
		(1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) +
		fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1))
	);
}

/**
 * The pixel mapping of `permutePixels`: a fixed seeded order o of the 64 positions, and for
 * fraction f, k = round(64f) positions cycled: output pixel o[j] takes input pixel o[(j+1) mod k]
 * for j < k, the rest stay. The moved sets are nested as f grows, and f = 1 is a random 64-cycle.
 * @returns Int32Array [64]: output pixel p reads input pixel map[p]; caller owns.
 */
export function pixelPermutation(seed: number, fraction: number): Int32Array {
	checkUnit('fraction', fraction);
	return partialCycle(seed, 'pixel-order', DIGIT_PIXELS, fraction);
}

/**
 * The map of a seeded partial cycle on n items: a fixed order o from the stream `label` of
 * `seed`, and with k = round(n·fraction), item o[j] maps to o[(j+1) mod k] for j < k; k < 2 is
 * the identity. The moved sets are nested as the fraction grows. @returns Int32Array [n].
 */
function partialCycle(seed: number, label: string, n: number, fraction: number): Int32Array {
	const order = createRng(seed).fork(label).permutation(n);
	const map = new Int32Array(n);
	for (let p = 0; p < n; p++) map[p] = p;
	const k = Math.round(fraction * n);
	if (k >= 2) for (let j = 0; j < k; j++) map[order[j]] = order[(j + 1) % k];
	return map;
}

/**
 * Moves a fraction of pixel positions by the fixed seeded cycle of `pixelPermutation`, the same for
 * every image. The images keep their values but lose their spatial layout, so features tied to
 * where strokes lie no longer apply: a large drift. @returns new arrays, caller owns.
 */
export function permutePixels(data: DigitsSet, seed: number, fraction: number): DigitsSet {
	const map = pixelPermutation(seed, fraction);
	const out = copySet(data);
	for (let i = 0; i < data.n; i++) {
		const o = i * DIGIT_PIXELS;
		for (let p = 0; p < DIGIT_PIXELS; p++) out.x[o + p] = data.x[o + map[p]];
	}
	return out;
}

/**
 * The label mapping of `relabel`: a fixed seeded order of the `classes` labels, of which the first
 * k = round(classes·strength) are cycled (label order[j] becomes order[(j+1) mod k]); k < 2 is the
 * identity and strength 1 moves every label. @returns Uint8Array [classes]: new label of each old.
 */
export function labelPermutation(seed: number, strength: number, classes = 10): Uint8Array {
	checkUnit('strength', strength);
	return Uint8Array.from(partialCycle(seed, 'label-order', classes, strength));
}

/**
 * Renames classes by the fixed seeded cycle of `labelPermutation`; images are unchanged. The base's
 * features still separate the classes; only the readout must change. @returns new arrays.
 */
export function relabel(data: DigitsSet, seed: number, strength: number): DigitsSet {
	const map = labelPermutation(seed, strength);
	const out = copySet(data);
	for (let i = 0; i < out.n; i++) out.y[i] = map[out.y[i]];
	return out;
}

/**
 * The continuous "domain shift" control, s in [0, 1], monotone in both parts: affine distortion
 * a = min(1, 2s) grows over the first half, and a growing fraction f = max(0, 2s − 1) of pixel
 * positions is permuted over the second. So s = 0 is the clean data, s = 1/6 is the small-shift
 * task, s = 0.5 is the medium-shift task, and s = 1 adds a full pixel permutation on top.
 * @returns new arrays, caller owns.
 */
export function domainShift(data: DigitsSet, seed: number, s: number): DigitsSet {
	checkUnit('shift', s);
	const { distortion, permuted } = domainShiftParts(s);
	const distorted = affineDistort(data, seed, distortion);
	return permuted > 0 ? permutePixels(distorted, seed, permuted) : distorted;
}

/** The two parts of `domainShift(s)`: affine distortion and fraction of pixels permuted. */
export function domainShiftParts(s: number): { distortion: number; permuted: number } {
	checkUnit('shift', s);
	return { distortion: Math.min(1, 2 * s), permuted: Math.max(0, 2 * s - 1) };
}

/** A pretrained base the fine-tuning tasks start from. */
export type DigitBaseId = 'digits10' | 'digits5';

/** The identifiers of `DIGIT_TASKS`. */
export type DigitTaskId =
	| 'pretrain'
	| 'pretrain-0to4'
	| 'affine-small'
	| 'affine-strong'
	| 'relabel'
	| 'new-classes'
	| 'permuted'
	| 'shift';

/** One task on the digits: what to train on, from which base, and how the data are made. */
export interface DigitTask {
	readonly id: DigitTaskId;
	readonly title: string;
	/** One or two sentences for captions and menus. */
	readonly description: string;
	/** The base a fine-tuning task starts from; null for a pretraining task. */
	readonly base: DigitBaseId | null;
	/** The base this task pretrains, for pretraining tasks; null otherwise. */
	readonly pretrains: DigitBaseId | null;
	/** Size of the label space the task's labels live in (0..numClasses−1). */
	readonly numClasses: number;
	/** Display names of labels 0..numClasses−1 (the digit each label shows). */
	readonly labelNames: readonly string[];
	/** Whether `strength` changes anything; tasks without it ignore the argument. */
	readonly usesStrength: boolean;
	/** The strength the task means by its title. */
	readonly defaultStrength: number;
	/**
	 * Makes the task's data from clean digits (a split from `splitDigits`). Pure: returns new
	 * arrays, caller owns. Use the same seed for train and test so task-wide choices agree.
	 */
	apply(data: DigitsSet, seed: number, strength?: number): DigitsSet;
}

const DIGIT_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const LOW = [0, 1, 2, 3, 4];
const HIGH = [5, 6, 7, 8, 9];

/** What every task fine-tuned from the ten-digit base shares: its base, all ten labels, a strength. */
const FROM_DIGITS10 = {
	base: 'digits10',
	pretrains: null,
	numClasses: 10,
	labelNames: DIGIT_NAMES,
	usesStrength: true
} as const;

/** Affine distortion of the small-shift task at strength 1: ±10°, ±2/3 px, ±6.7% scale. */
export const SMALL_DISTORTION = 1 / 3;

/**
 * The digit tasks, from no shift to a large drift:
 * - `pretrain`: all ten classes, clean; pretrains base `digits10`.
 * - `pretrain-0to4`: classes 0–4, clean; pretrains base `digits5`.
 * - `affine-small` (small shift, from `digits10`): `affineDistort` at a = strength/3.
 * - `affine-strong` (medium shift, from `digits10`): `affineDistort` at a = strength.
 * - `relabel` (new readout, from `digits10`): `relabel` at strength.
 * - `new-classes` (new features, from `digits5`): classes 5–9 as labels 0–4; strength unused.
 * - `permuted` (large drift, from `digits10`): `permutePixels` at fraction = strength.
 * - `shift` (continuous, from `digits10`): `domainShift` at s = strength.
 */
export const DIGIT_TASKS: Readonly<Record<DigitTaskId, DigitTask>> = {
	pretrain: {
		id: 'pretrain',
		title: 'Pretraining: all ten digits',
		description: 'Clean images of all ten digits. Pretrains the ten-class base.',
		base: null,
		pretrains: 'digits10',
		numClasses: 10,
		labelNames: DIGIT_NAMES,
		usesStrength: false,
		defaultStrength: 0,
		apply: (data) => copySet(data)
	},
	'pretrain-0to4': {
		id: 'pretrain-0to4',
		title: 'Pretraining: digits 0–4',
		description: 'Clean images of the digits 0 to 4 only. Pretrains the five-class base.',
		base: null,
		pretrains: 'digits5',
		numClasses: 5,
		labelNames: DIGIT_NAMES.slice(0, 5),
		usesStrength: false,
		defaultStrength: 0,
		apply: (data) => keepClasses(data, LOW)
	},
	'affine-small': {
		id: 'affine-small',
		title: 'Small shift: slightly tilted digits',
		description:
			'Each image rotated by up to ±10°, shifted by under a pixel and rescaled by up to ±7%. The same digits, written a little differently.',
		...FROM_DIGITS10,
		defaultStrength: 1,
		apply: (data, seed, strength = 1) => affineDistort(data, seed, strength * SMALL_DISTORTION)
	},
	'affine-strong': {
		id: 'affine-strong',
		title: 'Medium shift: rotated, moved and rescaled digits',
		description:
			'Each image rotated by up to ±30°, shifted by up to 2 pixels and rescaled by up to ±20%. Parts of digits leave the 8×8 frame.',
		...FROM_DIGITS10,
		defaultStrength: 1,
		apply: (data, seed, strength = 1) => affineDistort(data, seed, strength)
	},
	relabel: {
		id: 'relabel',
		title: 'Relabelled digits',
		description:
			'The images are unchanged but the class names are permuted. The features the base learned still work; only the readout must change.',
		...FROM_DIGITS10,
		defaultStrength: 1,
		apply: (data, seed, strength = 1) => relabel(data, seed, strength)
	},
	'new-classes': {
		id: 'new-classes',
		title: 'New classes: digits 5–9',
		description:
			'A base that has seen only the digits 0–4 must now tell 5, 6, 7, 8 and 9 apart, with the same five outputs.',
		base: 'digits5',
		pretrains: null,
		numClasses: 5,
		labelNames: DIGIT_NAMES.slice(5),
		usesStrength: false,
		defaultStrength: 1,
		apply: (data) => keepClasses(data, HIGH)
	},
	permuted: {
		id: 'permuted',
		title: 'Large drift: permuted pixels',
		description:
			'One fixed scrambling of the 64 pixel positions, the same for every image. Nothing the base learned about strokes still applies.',
		...FROM_DIGITS10,
		defaultStrength: 1,
		apply: (data, seed, strength = 1) => permutePixels(data, seed, strength)
	},
	shift: {
		id: 'shift',
		title: 'Domain shift',
		description:
			'From none to large: distortions grow up to the middle of the scale, then a growing share of pixels is scrambled.',
		...FROM_DIGITS10,
		defaultStrength: 0.5,
		apply: (data, seed, strength = 0.5) => domainShift(data, seed, strength)
	}
};

/** The ids of `DIGIT_TASKS` in teaching order, from pretraining to the largest drift. */
export const DIGIT_TASK_IDS: readonly DigitTaskId[] = [
	'pretrain',
	'pretrain-0to4',
	'affine-small',
	'affine-strong',
	'relabel',
	'new-classes',
	'permuted',
	'shift'
];

function copySet(data: DigitsSet): DigitsSet {
	return { x: data.x.slice(), y: data.y.slice(), ids: data.ids.slice(), n: data.n };
}

function checkUnit(name: string, v: number): void {
	if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be in [0, 1], got ${v}`);
}
