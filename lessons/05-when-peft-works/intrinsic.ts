/**
 * The intrinsic-dimension sweep of lesson 5 as plain data: which runs to queue (full training
 * and training in random subspaces of growing d, from the pretrained base and from a random
 * start of the same architecture), how to read d₉₀ off the results (Li et al. 2018, arXiv
 * 1804.08838: the smallest d whose held-out accuracy reaches 90% of full training's, from the
 * same start), and the sentence that says it. No tfjs here: the figure shows recorded results
 * without loading the trainer, and `scripts/intrinsic.ts` records them with the same runs.
 */
import type { QueuedResult, QueuedRun, RunSpec, TaskSpec } from '$lib/trainer/protocol';

/** Where a run starts: the shipped pretrained base, or a seeded random initialisation of it. */
export type Start = 'base' | 'scratch';
export const STARTS: readonly Start[] = ['base', 'scratch'];

/** The tasks a teacher can pick, from nearest to pretraining to farthest. */
export type IntrinsicTaskId =
	'new-classes' | 'relabel' | 'permuted' | 'small-shift' | 'shift-quarter';
export const INTRINSIC_TASK_IDS: readonly IntrinsicTaskId[] = [
	'small-shift',
	'shift-quarter',
	'new-classes',
	'relabel',
	'permuted'
];

export interface IntrinsicTask {
	id: IntrinsicTaskId;
	label: string;
	task: TaskSpec;
	/** What the base knows, in a phrase ("digits 0–4"). */
	base: string;
}

export const INTRINSIC_TASKS: Readonly<Record<IntrinsicTaskId, IntrinsicTask>> = {
	'new-classes': {
		id: 'new-classes',
		label: 'New classes: digits 5–9 from a base that knows 0–4',
		task: { kind: 'digits', task: 'new-classes' },
		base: 'the MLP pretrained on the digits 0–4'
	},
	relabel: {
		id: 'relabel',
		label: 'Relabelled digits: same images, shuffled class names',
		task: { kind: 'digits', task: 'relabel' },
		base: 'the MLP pretrained on all ten digits'
	},
	permuted: {
		id: 'permuted',
		label: 'Large drift: permuted pixels, the base’s features no longer apply',
		task: { kind: 'digits', task: 'permuted' },
		base: 'the MLP pretrained on all ten digits'
	},
	'small-shift': {
		id: 'small-shift',
		label: 'Small shift (1/6): rotations up to ±10°',
		task: { kind: 'digits', task: 'shift', strength: 1 / 6 },
		base: 'the MLP pretrained on clean digits'
	},
	'shift-quarter': {
		id: 'shift-quarter',
		label: 'Shift 1/4: rotations up to ±15°',
		task: { kind: 'digits', task: 'shift', strength: 1 / 4 },
		base: 'the MLP pretrained on clean digits'
	}
};

/** How finely d is swept: powers of two, or half-octaves as well. */
export type Resolution = 'coarse' | 'fine';
export const RESOLUTIONS: readonly Resolution[] = ['coarse', 'fine'];
export const DIMS: Readonly<Record<Resolution, readonly number[]>> = {
	coarse: [4, 8, 16, 32, 64, 128, 256, 512],
	fine: [4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512]
};

/** The settings of a sweep besides its task and its d values. */
export interface SweepSettings {
	steps: number;
	/** Adam's learning rate for z (Li et al.: z needs a larger one than θ). */
	lr: number;
	/** Adam's learning rate for full training, the baseline. */
	fullLr: number;
	batchSize: number;
	seed: number;
}

export const DEFAULT_SETTINGS: SweepSettings = {
	steps: 300,
	lr: 0.1,
	fullLr: 0.003,
	batchSize: 64,
	seed: 1
};

/** The id of a queued run: `base/full`, `scratch/d64`. */
export function runId(start: Start, d: number | null): string {
	return `${start}/${d === null ? 'full' : `d${d}`}`;
}

/** Start and d (null for full training) of a run id, or null when it is not one of ours. */
export function parseRunId(id: string): { start: Start; d: number | null } | null {
	const m = /^(base|scratch)\/(?:full|d(\d+))$/.exec(id);
	if (!m) return null;
	return { start: m[1] as Start, d: m[2] === undefined ? null : Number(m[2]) };
}

/**
 * The queue of a sweep: for each start, full training first (the 90% line needs it), then the
 * subspace runs in order of d, so the figure fills in from the left.
 */
export function sweepRuns(
	task: IntrinsicTaskId,
	dims: readonly number[],
	settings: SweepSettings = DEFAULT_SETTINGS
): QueuedRun[] {
	const { steps, lr, fullLr, batchSize, seed } = settings;
	const base = (start: Start): Omit<RunSpec, 'method' | 'lr'> => ({
		task: INTRINSIC_TASKS[task].task,
		batchSize,
		seed,
		init: start
	});
	return STARTS.flatMap((start) => [
		{ id: runId(start, null), spec: { ...base(start), method: 'full', lr: fullLr }, steps },
		...dims.map((d) => ({
			id: runId(start, d),
			spec: { ...base(start), method: 'subspace' as const, subspaceDim: d, lr },
			steps
		}))
	]);
}

/** One finished run as the figure plots it. */
export interface SweepPoint {
	start: Start;
	/** Subspace dimension, or null for full training. */
	d: number | null;
	accuracy: number;
	startAccuracy: number;
	trainableParams: number;
	seconds: number;
	diverged?: string;
}

/** The points of the results that belong to a sweep (others are ignored). */
export function pointsOf(results: readonly QueuedResult[]): SweepPoint[] {
	return results.flatMap((r) => {
		const id = parseRunId(r.id);
		if (!id) return [];
		return [
			{
				...id,
				accuracy: r.testAccuracy,
				startAccuracy: r.startAccuracy,
				trainableParams: r.trainableParams,
				seconds: r.seconds,
				...(r.diverged ? { diverged: r.diverged } : {})
			}
		];
	});
}

/** What one start's sweep says. */
export interface StartAnalysis {
	start: Start;
	/** Held-out accuracy of full training, and 90% of it; null until that run is in. */
	full: number | null;
	threshold: number | null;
	/** Accuracy before training. */
	startAccuracy: number | null;
	/** Subspace points in order of d. */
	points: SweepPoint[];
	/** The smallest swept d at or above the threshold; null when none (yet) is. */
	d90: number | null;
	/** The largest swept d, to say "above 512" when none reached it. */
	largest: number | null;
}

/** d₉₀ and its ingredients for one start. */
export function analyseStart(points: readonly SweepPoint[], start: Start): StartAnalysis {
	const mine = points.filter((p) => p.start === start);
	const fullPoint = mine.find((p) => p.d === null);
	const subspace = mine
		.filter((p): p is SweepPoint & { d: number } => p.d !== null)
		.sort((a, b) => a.d - b.d);
	const full = fullPoint && !fullPoint.diverged ? fullPoint.accuracy : null;
	const threshold = full === null ? null : 0.9 * full;
	const hit =
		threshold === null ? undefined : subspace.find((p) => !p.diverged && p.accuracy >= threshold);
	return {
		start,
		full,
		threshold,
		startAccuracy: (fullPoint ?? subspace[0])?.startAccuracy ?? null,
		points: subspace,
		d90: hit?.d ?? null,
		largest: subspace.length ? subspace[subspace.length - 1].d : null
	};
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** "d₉₀ ≈ 64" or "d₉₀ above 512" or null when it cannot be said yet. */
export function d90Phrase(a: StartAnalysis, complete: boolean): string | null {
	if (a.threshold === null) return null;
	if (a.d90 !== null) return `d₉₀ ≈ ${a.d90}`;
	if (complete && a.largest !== null) return `d₉₀ above ${a.largest}`;
	return null;
}

/**
 * The figure's summary sentence: both d₉₀s (or why one is missing) and how they compare, in
 * plain words that stay true whichever way the numbers fall.
 */
export function summarise(
	points: readonly SweepPoint[],
	task: IntrinsicTaskId,
	complete: boolean
): string {
	const [base, scratch] = STARTS.map((s) => analyseStart(points, s));
	if (!points.length) return 'No run has finished yet.';
	const describe = (a: StartAnalysis, from: string) => {
		if (a.full === null || a.threshold === null)
			return `${from}, full training has not finished yet`;
		const phrase = d90Phrase(a, complete);
		const head = `${from}, full training reaches ${pct(a.full)}, so the 90% line is ${pct(a.threshold)}`;
		if (!phrase) return `${head}; no swept d has reached it yet`;
		if (a.d90 === null) return `${head}; no swept d reached it (${phrase})`;
		const already =
			a.startAccuracy !== null && a.startAccuracy >= a.threshold
				? ` (it starts at ${pct(a.startAccuracy)}, above the line before any training)`
				: '';
		return `${head}, and the task needs ${phrase} dimensions${already}`;
	};
	const parts = [
		`${describe(base, `From ${INTRINSIC_TASKS[task].base}`)}.`,
		`${describe(scratch, 'From a random start of the same architecture')}.`
	];
	if (complete) {
		const b = base.d90 ?? (base.threshold !== null ? Infinity : null);
		const s = scratch.d90 ?? (scratch.threshold !== null ? Infinity : null);
		if (b !== null && s !== null) {
			if (b < s)
				parts.push(
					'Here pretraining lowered the dimension the task needs, as Li et al. and Aghajanyan et al. found.'
				);
			else if (b > s)
				parts.push(
					'Here the pretrained start needed more dimensions than the random one: the opposite of what Aghajanyan et al. found for large language models.'
				);
			else parts.push('Here both starts needed the same dimension: pretraining did not lower it.');
		}
	}
	return parts.join(' ');
}
