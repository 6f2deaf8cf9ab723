/**
 * The fairness check of the shift lab (lesson 6): the grid gives every method one learning rate,
 * chosen at a small shift. At the far end of the dial (s = ½ and s = 1) and on the planted task,
 * this sweep trains every method at four learning rates, and each at its chosen rate for twice
 * the steps, so the lesson can say whether the gaps it quotes survive each method's own best rate
 * and a longer run. Plain data: the recording script (scripts/shiftsweep.ts), its test and the
 * lesson share it.
 *
 *   condition × method × lr ──sweepRuns──▶ QueuedRun[] ──scripts/shiftsweep.ts──▶ shiftSweep.json
 */
import type { QueuedRun } from '$lib/trainer/protocol';
import {
	SHIFT_METHODS,
	SHIFT_TRAINING,
	conditionKey,
	methodFits,
	runsFor,
	type Condition,
	type ShiftMethod
} from './shiftLab';

/** Where the lessons quote the largest gaps: both ends of the large-drift half, and the planted task. */
export const SWEEP_CONDITIONS: readonly Condition[] = [
	{ kind: 'shift', s: 0.5 },
	{ kind: 'shift', s: 1 },
	{ kind: 'task', task: 'planted' }
];

/** Learning rates per method, a factor of about three apart, each wider than the grid's choice. */
export const SWEEP_LRS: Record<ShiftMethod['method'], readonly number[]> = {
	full: [3e-4, 1e-3, 3e-3, 1e-2],
	lora: [1e-3, 3e-3, 1e-2, 3e-2],
	head: [1e-3, 3e-3, 1e-2, 3e-2],
	bitfit: [1e-3, 3e-3, 1e-2, 3e-2],
	subspace: []
};

/** The longer runs: each method at the grid's own rate, for this many times the grid's steps. */
export const LONG_FACTOR = 2;

/** Run id of a swept cell (`lora-4@s0.5000@0.01`) or of a long one (`lora-4@s0.5000@long`). */
export function sweepId(m: ShiftMethod, c: Condition, lr: number | 'long'): string {
	return `${m.id}@${conditionKey(c)}@${lr}`;
}

/** Every run of the sweep: each method at each of its rates, then each at its own rate, longer. */
export function sweepRuns(): QueuedRun[] {
	return SWEEP_CONDITIONS.flatMap((c) => {
		const methods = SHIFT_METHODS.filter((m) => methodFits(m, c));
		const swept = methods.flatMap((m) =>
			SWEEP_LRS[m.method].map((lr) => {
				const [run] = runsFor(c, { methods: [{ ...m, lr }] });
				return { ...run, id: sweepId(m, c, lr), measure: { original: run.measure?.original } };
			})
		);
		const long = runsFor(c, { methods, steps: LONG_FACTOR * SHIFT_TRAINING.steps }).map(
			(run, i) => ({
				...run,
				id: sweepId(methods[i], c, 'long'),
				measure: { original: run.measure?.original }
			})
		);
		return [...swept, ...long];
	});
}

/** One recorded run of the sweep. */
export interface SweepCell {
	method: string;
	condition: string;
	/** The learning rate, or `long` for the grid's own rate at `LONG_FACTOR` times the steps. */
	lr: number | 'long';
	/**
	 * Held-out accuracy; NaN when the run diverged, which the JSON file keeps as `null`. Read it
	 * through `sweptAccuracy`, never as a number.
	 */
	accuracy: number | null;
	start: number;
	/** Accuracy on the base's own task after fine-tuning; NaN (`null` on disk) when diverged. */
	original: number | null;
	steps: number;
}

/** What shiftSweep.json holds. */
export interface SweepRecord {
	recorded: string;
	where: string;
	backend: string;
	seconds: number;
	cells: SweepCell[];
}

/** A swept run's accuracy as a number: NaN when the run diverged (`null` or NaN on record). */
export function sweptAccuracy(c: SweepCell | null | undefined): number {
	return c && typeof c.accuracy === 'number' && Number.isFinite(c.accuracy) ? c.accuracy : NaN;
}

/** Whether a recorded run diverged (no accuracy). */
export function sweptDiverged(c: SweepCell): boolean {
	return !Number.isFinite(sweptAccuracy(c));
}

/** A method's best swept cell under a condition (highest held-out accuracy; the lower rate on a tie), or null. Diverged runs never win. */
export function bestSwept(
	cells: readonly SweepCell[],
	method: string,
	condition: string
): SweepCell | null {
	let best: SweepCell | null = null;
	for (const c of cells) {
		if (c.method !== method || c.condition !== condition || c.lr === 'long') continue;
		const a = sweptAccuracy(c);
		if (Number.isFinite(a) && (!best || a > sweptAccuracy(best))) best = c;
	}
	return best;
}

/**
 * Whether a method's best rate is an end of its swept set, so that a rate beyond it might do
 * better and the best is only a bound. A best reached at an end and, equally, at an inner rate
 * is not at the edge.
 */
export function bestAtEdge(
	cells: readonly SweepCell[],
	method: string,
	condition: string
): boolean {
	const best = bestSwept(cells, method, condition);
	const m = SHIFT_METHODS.find((x) => x.id === method);
	if (!best || !m) return false;
	const lrs = SWEEP_LRS[m.method];
	const top = sweptAccuracy(best);
	const reaching = cells.filter(
		(c) =>
			c.method === method &&
			c.condition === condition &&
			c.lr !== 'long' &&
			sweptAccuracy(c) === top
	);
	return reaching.every((c) => c.lr === lrs[0] || c.lr === lrs[lrs.length - 1]);
}

/** The long run of a method under a condition, or null. */
export function longCell(
	cells: readonly SweepCell[],
	method: string,
	condition: string
): SweepCell | null {
	return (
		cells.find((c) => c.method === method && c.condition === condition && c.lr === 'long') ?? null
	);
}

/** The grid's own learning rate of a method (`SHIFT_METHODS`), or NaN for an unknown id. */
export function chosenLr(method: string): number {
	return SHIFT_METHODS.find((m) => m.id === method)?.lr ?? NaN;
}

/** The swept cell of a method at the grid's own rate, or null. */
export function chosenCell(
	cells: readonly SweepCell[],
	method: string,
	condition: string
): SweepCell | null {
	const lr = chosenLr(method);
	return cells.find((c) => c.method === method && c.condition === condition && c.lr === lr) ?? null;
}

/**
 * Three readings of a method under a condition: at the grid's own rate (`chosen`), at its best
 * swept rate (`best`), and at the grid's rate for `LONG_FACTOR` times the steps (`long`).
 */
export type SweepReading = 'chosen' | 'best' | 'long';
export const SWEEP_READINGS: readonly SweepReading[] = ['chosen', 'best', 'long'];

/** A method's accuracy under a condition by one reading; NaN when that run diverged or is missing. */
export function readingOf(
	cells: readonly SweepCell[],
	method: string,
	condition: string,
	reading: SweepReading
): number {
	const c =
		reading === 'chosen'
			? chosenCell(cells, method, condition)
			: reading === 'best'
				? bestSwept(cells, method, condition)
				: longCell(cells, method, condition);
	return sweptAccuracy(c);
}

/**
 * A method's gap to full fine-tuning under one reading (each at its own best rate, or each at
 * twice the steps), in accuracy, negative when behind; NaN when either run diverged or is missing.
 */
export function sweepGap(
	cells: readonly SweepCell[],
	method: string,
	condition: string,
	reading: SweepReading
): number {
	return (
		readingOf(cells, method, condition, reading) - readingOf(cells, 'full', condition, reading)
	);
}

/**
 * How far to trust the gap at best rates, given where the two best rates sit in their grids:
 * `exact` when neither is at an edge; `at-least` when only full fine-tuning's is (it might do
 * better, so the method is at least this far behind); `at-most` when only the method's is (it
 * might close some of the gap); `open` when both are.
 */
export type GapBound = 'exact' | 'at-least' | 'at-most' | 'open';

export function bestGapBound(
	cells: readonly SweepCell[],
	method: string,
	condition: string
): GapBound {
	const full = bestAtEdge(cells, 'full', condition);
	const own = bestAtEdge(cells, method, condition);
	return full && own ? 'open' : full ? 'at-least' : own ? 'at-most' : 'exact';
}

/** The methods swept under a condition, in the grid's order. */
export function sweptMethods(cells: readonly SweepCell[], condition: string): string[] {
	return SHIFT_METHODS.map((m) => m.id).filter((id) =>
		cells.some((c) => c.method === id && c.condition === condition)
	);
}

/**
 * The methods under a condition ordered by one reading, most accurate first; a method whose run
 * diverged or is missing comes last (diverged is the worst result, never a number).
 */
export function sweepRanking(
	cells: readonly SweepCell[],
	condition: string,
	reading: SweepReading
): string[] {
	const score = (id: string) => {
		const a = readingOf(cells, id, condition, reading);
		return Number.isFinite(a) ? a : -Infinity;
	};
	return sweptMethods(cells, condition).sort((a, b) => score(b) - score(a));
}

/**
 * Pairs of methods whose order flips between two readings by more than `margin` each way:
 * `[x, y]` when x is ahead of y by more than `margin` under `from` and y ahead of x by more than
 * `margin` under `to`. A diverged run counts as worse than any number.
 */
export function orderFlips(
	cells: readonly SweepCell[],
	condition: string,
	from: SweepReading,
	to: SweepReading,
	margin = 0
): [string, string][] {
	const score = (id: string, r: SweepReading) => {
		const a = readingOf(cells, id, condition, r);
		return Number.isFinite(a) ? a : -Infinity;
	};
	const ids = sweptMethods(cells, condition);
	const flips: [string, string][] = [];
	for (const x of ids)
		for (const y of ids) {
			if (x === y) continue;
			const ahead = score(x, from) - score(y, from);
			const behind = score(y, to) - score(x, to);
			if (ahead > margin && behind > margin) flips.push([x, y]);
		}
	return flips;
}
