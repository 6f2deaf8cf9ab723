/**
 * The shift lab's other seeds: the cells whose seed-1 results the closing notes of lessons 5 and 6
 * check against two more seeds, trained at seeds 2 and 3 with every other setting of the grid
 * (`runsFor` in ./shiftLab: the same method, rank, α, learning rate, steps and batch). Plain data:
 * the recording script (scripts/shiftseeds.ts), its test and the lessons share it.
 *
 * What the seed changes, as in the grid (`RunSpec.seed`): the trainer's random stream (the
 * adapter's initialisation and the order of the minibatches), the task's own draws where it has
 * any (the domain shift's per-image rotations and shifts and its scrambled pixels; the base's own
 * task, scored for forgetting, is drawn with the same seed), not the data split (fixed by
 * `DIGITS_SPLIT_SEED`), the base or the planted teachers (fixed by `TEACHER_STUDENT.seed`).
 *
 *   SEED_CELLS × SEEDS ──seedRuns──▶ QueuedRun[] ──scripts/shiftseeds.ts──▶ shiftSeeds.json
 */
import type { QueuedRun } from '$lib/trainer/protocol';
import { SHIFT_METHODS, conditionKey, runsFor, type Condition } from './shiftLab';

/** The seeds beyond the grid's seed 1. */
export const SEEDS = [2, 3] as const;

/**
 * The cells the closing notes quote at more seeds: rank 4 against full fine-tuning at the small
 * shift (lesson 5); forgetting at s = 1 and on the planted task, ranks 1 and 4 against full
 * fine-tuning (lesson 5); the gaps of rank ≤ 4 under large drift, and rank 4 on new classes and
 * the planted task (lesson 6).
 */
export const SEED_CELLS: readonly { condition: Condition; methods: readonly string[] }[] = [
	{ condition: { kind: 'shift', s: 1 / 6 }, methods: ['full', 'lora-4'] },
	{ condition: { kind: 'shift', s: 0.5 }, methods: ['full', 'lora-1', 'lora-4'] },
	{ condition: { kind: 'shift', s: 1 }, methods: ['full', 'lora-1', 'lora-4'] },
	{ condition: { kind: 'task', task: 'new-classes' }, methods: ['full', 'lora-4'] },
	{ condition: { kind: 'task', task: 'planted' }, methods: ['full', 'lora-1', 'lora-4'] }
];

/**
 * Cells also trained at seed 1 through this plan, so the record shows that the plan reproduces
 * the grid (shiftLab.json) where the seed is the grid's: the small shift's headline pair.
 */
export const CHECK_CELLS: readonly { condition: Condition; methods: readonly string[] }[] = [
	{ condition: { kind: 'shift', s: 1 / 6 }, methods: ['full', 'lora-4'] }
];

/** Run id of a cell at a seed: `lora-4@s0.5000@2`. */
export function seedId(method: string, condition: Condition, seed: number): string {
	return `${method}@${conditionKey(condition)}@${seed}`;
}

/** The runs of `cells` at `seeds`: the grid's runs (`runsFor`), with the seed changed and only forgetting measured. */
export function seedRuns(
	seeds: readonly number[] = SEEDS,
	cells: readonly { condition: Condition; methods: readonly string[] }[] = SEED_CELLS
): QueuedRun[] {
	return seeds.flatMap((seed) =>
		cells.flatMap(({ condition, methods }) => {
			const ms = methods.map((id) => {
				const m = SHIFT_METHODS.find((x) => x.id === id);
				if (!m) throw new RangeError(`unknown method “${id}”`);
				return m;
			});
			return runsFor(condition, { methods: ms, seed }).map((run, i) => ({
				...run,
				id: seedId(ms[i].id, condition, seed),
				measure: { original: run.measure?.original }
			}));
		})
	);
}

/** Every run the recording makes: the other seeds, then the seed-1 check. */
export function recordedRuns(): QueuedRun[] {
	return [...seedRuns(), ...seedRuns([1], CHECK_CELLS)];
}

/** One recorded run. */
export interface SeedCell {
	method: string;
	condition: string;
	seed: number;
	/** Held-out accuracy; NaN (`null` on disk) when the run diverged. Read it through `seedAccuracy`. */
	accuracy: number | null;
	/** The untouched base's held-out accuracy on this seed's task. */
	start: number;
	/** Accuracy on the base's own task after fine-tuning (forgetting); NaN (`null`) when diverged. */
	original: number | null;
	steps: number;
}

/** What shiftSeeds.json holds. */
export interface SeedRecord {
	recorded: string;
	where: string;
	backend: string;
	seconds: number;
	cells: SeedCell[];
}

/** The recorded cell of a method under a condition key at a seed, or null. */
export function seedCell(
	cells: readonly SeedCell[],
	method: string,
	condition: string,
	seed: number
): SeedCell | null {
	return (
		cells.find((c) => c.method === method && c.condition === condition && c.seed === seed) ?? null
	);
}

const num = (v: number | null | undefined) =>
	typeof v === 'number' && Number.isFinite(v) ? v : NaN;

/** A cell's held-out accuracy; NaN when it diverged or is missing. */
export function seedAccuracy(
	cells: readonly SeedCell[],
	method: string,
	condition: string,
	seed: number
): number {
	return num(seedCell(cells, method, condition, seed)?.accuracy);
}

/** A cell's accuracy on the base's own task; NaN when it diverged or is missing. */
export function seedOriginal(
	cells: readonly SeedCell[],
	method: string,
	condition: string,
	seed: number
): number {
	return num(seedCell(cells, method, condition, seed)?.original);
}

/** A method's gap to full fine-tuning at a seed, in accuracy (negative: behind); NaN when either is missing. */
export function seedGap(
	cells: readonly SeedCell[],
	method: string,
	condition: string,
	seed: number
): number {
	return (
		seedAccuracy(cells, method, condition, seed) - seedAccuracy(cells, 'full', condition, seed)
	);
}
