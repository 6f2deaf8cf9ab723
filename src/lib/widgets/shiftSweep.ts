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
import type { QueuedRun } from '$lib/trainer/experimentSpec';
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
	accuracy: number;
	start: number;
	original: number;
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

/** A method's best swept cell under a condition (highest held-out accuracy), or null. */
export function bestSwept(
	cells: readonly SweepCell[],
	method: string,
	condition: string
): SweepCell | null {
	let best: SweepCell | null = null;
	for (const c of cells) {
		if (c.method !== method || c.condition !== condition || c.lr === 'long') continue;
		if (Number.isFinite(c.accuracy) && (!best || c.accuracy > best.accuracy)) best = c;
	}
	return best;
}

/** Whether a method's best rate is an end of its swept set (the sweep should have gone further). */
export function bestAtEdge(
	cells: readonly SweepCell[],
	method: string,
	condition: string
): boolean {
	const best = bestSwept(cells, method, condition);
	const m = SHIFT_METHODS.find((x) => x.id === method);
	if (!best || !m || best.lr === 'long') return false;
	const lrs = SWEEP_LRS[m.method];
	return best.lr === lrs[0] || best.lr === lrs[lrs.length - 1];
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
