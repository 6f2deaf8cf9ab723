/**
 * The shift lab's plan and its reading: which fine-tuning runs fill the grid (method × condition
 * → held-out accuracy), how a finished run becomes a cell, and the sentences and numbers the
 * lessons print about the grid. A condition is a point on the "Domain shift" axis of the digits
 * (`domainShift` in `model/data/digits.ts`) or one of the tasks that need new features (new
 * classes, the large drift of permuted pixels, and the synthetic teacher's planted rank-10 change). Plain data: the figure, the recording script and the unit tests share
 * it, and nothing here loads tfjs.
 *
 *   condition ──runsFor──▶ QueuedRun[] ──worker or scripts/shiftlab.ts──▶ QueuedResult[]
 *        └──────────────────────── cellOf / gridSummary ◀──────────────────┘
 */
import type { QueuedResult, QueuedRun, RunSpec, TaskSpec } from '$lib/trainer/protocol';
import { pct as formatPct } from '$lib/format';
import { METHOD_LABELS } from '$lib/math/methods';

/** A method as the grid shows it: one row. */
export interface ShiftMethod {
	/** Row key, also the run id's prefix: `full`, `lora-4`, `head`, `bitfit`. */
	id: string;
	label: string;
	method: RunSpec['method'];
	rank?: number;
	/** Learning rate, fixed for every condition (chosen once; see `SHIFT_LRS`). */
	lr: number;
}

/**
 * Learning rates, one per method, chosen once on the small shift (s = 1/6) by the mean held-out
 * accuracy of seeds 1–3 after 1,000 steps, from {3e-4, 1e-3, 3e-3} for full fine-tuning,
 * {1e-3, 3e-3, 1e-2} for LoRA (one rate for every rank: the best mean over the four ranks) and
 * {3e-3, 1e-2, 3e-2} for head-only; then kept fixed across the whole axis, so no cell is tuned on
 * its own. BitFit, which trains the biases and the head as Ben Zaken et al. published it, was
 * chosen the same way from {1e-3, 3e-3, 1e-2, 3e-2} (`SWEEP=1 TASKS=2 METHODS=18,19,20,21
 * CHECKPOINTS=1000` in scripts/shiftResearch.ts): means 87.0%, 88.4%, 89.6% and 89.3%.
 */
export const SHIFT_LRS = {
	full: 3e-3,
	lora: 3e-3,
	head: 3e-3,
	bitfit: 1e-2
} as const;

/** LoRA's α is twice the rank, so α/r = 2 at every rank. */
export const LORA_SCALE = 2;

/** The LoRA ranks of the grid. */
export const SHIFT_RANKS = [1, 4, 16, 64] as const;

/** The grid's rows: full fine-tuning, LoRA at four ranks, head only, BitFit. */
export const SHIFT_METHODS: readonly ShiftMethod[] = [
	{ id: 'full', label: METHOD_LABELS.full, method: 'full', lr: SHIFT_LRS.full },
	...SHIFT_RANKS.map((rank): ShiftMethod => ({
		id: `lora-${rank}`,
		label: `${METHOD_LABELS.lora} r = ${rank}`,
		method: 'lora',
		rank,
		lr: SHIFT_LRS.lora
	})),
	{ id: 'head', label: METHOD_LABELS.head, method: 'head', lr: SHIFT_LRS.head },
	{ id: 'bitfit', label: METHOD_LABELS.bitfit, method: 'bitfit', lr: SHIFT_LRS.bitfit }
];

/** Steps, batch and seed of every run in the grid. */
export const SHIFT_TRAINING = { steps: 2000, batchSize: 64, seed: 1 } as const;

/** The layer whose full-fine-tuning update is measured (its spectrum): the first, on the pixels. */
export const SPECTRUM_LAYER = 'l0';

/** Ranks at which the full update of `SPECTRUM_LAYER` is truncated and scored. */
export const TRUNCATION_KS = [1, 2, 4, 8, 16, 32, 64] as const;

/** Stops of the "Domain shift" control: s = k/12. */
export const SHIFT_STOPS = 12;

/** The shift values of the axis, 0 to 1 in twelfths. */
export const SHIFT_VALUES: readonly number[] = Array.from(
	{ length: SHIFT_STOPS + 1 },
	(_, k) => k / SHIFT_STOPS
);

/**
 * The tasks that ask for features the base lacks: two on the digits, and `planted`, the
 * synthetic teacher–student task (`model/data/synthetic.ts`) whose new teacher differs from the
 * one the base learnt by a planted update of rank `PLANTED.rank` as large as the old teacher
 * (‖ΔW*‖ = ‖W₀‖): a task that, by construction, needs that many new directions.
 */
export const NEW_FEATURE_TASKS = ['new-classes', 'permuted', 'planted'] as const;
export type NewFeatureTask = (typeof NEW_FEATURE_TASKS)[number];

/** The planted task's update: rank 10 (all the directions a 10-class readout has), size 1. */
export const PLANTED = { rank: 10, relNorm: 1 } as const;

/**
 * The largest LoRA rank a condition's adapted layers allow: min(inputs, outputs) of the
 * narrowest adapted layer. The teacher–student MLP (32 → 64 → 10) adapts only its 32×64 first
 * layer; the digits MLP's narrowest adapted layer is 64×128.
 */
export function maxRankOf(c: Condition): number {
	return c.kind === 'task' && c.task === 'planted' ? 32 : 64;
}

/**
 * The tasks lesson 6's features figure offers: the medium shift at the middle of the shift
 * axis (s = 1/2), new classes, the large drift (permuted pixels) and the planted rank-10 change, each a condition
 * of the grid.
 */
export const FEATURE_CHOICES = ['distorted', 'new-classes', 'permuted', 'planted'] as const;
export type FeatureChoice = (typeof FEATURE_CHOICES)[number];

/** Labels of `FEATURE_CHOICES` for the task control. */
export const FEATURE_LABELS: Record<FeatureChoice, string> = {
	'new-classes': 'New classes (digits 5–9)',
	permuted: 'Large drift (permuted pixels)',
	distorted: 'Medium shift (shift 0.50)',
	planted: 'Planted rank-10 change (synthetic)'
};

/** The grid condition of a features-figure choice. */
export function featureCondition(choice: FeatureChoice): Condition {
	return choice === 'distorted' ? { kind: 'shift', s: 0.5 } : { kind: 'task', task: choice };
}

/** A column of the grid: a shift value, or a task that needs new features. */
export type Condition = { kind: 'shift'; s: number } | { kind: 'task'; task: NewFeatureTask };

/** The key of a condition in ids and records: `s0.5000` or `new-classes`. */
export function conditionKey(c: Condition): string {
	return c.kind === 'shift' ? `s${c.s.toFixed(4)}` : c.task;
}

/** Nearest stop of the axis to `s` (clamped to [0, 1]). */
export function snapShift(s: number): number {
	const k = Math.round(Math.min(1, Math.max(0, s)) * SHIFT_STOPS);
	return k / SHIFT_STOPS;
}

/** What a shift value means, in words: "none", "small", "medium", "large" (with scrambling). */
export function shiftWords(s: number): string {
	if (s === 0) return 'no shift';
	if (s <= 1 / 6) return 'a small shift';
	if (s <= 0.5) return 'a medium shift';
	if (s < 1) return 'a large drift';
	return 'the largest drift';
}

/** The parts of shift s: rotation up to ±30°·a and so on, then a share of pixels scrambled. */
export function shiftParts(s: number): { distortion: number; permuted: number } {
	return { distortion: Math.min(1, 2 * s), permuted: Math.max(0, 2 * s - 1) };
}

/** A description of shift s for the control's readout: "±10° rotation, no pixels scrambled". */
export function describeShift(s: number): string {
	const { distortion, permuted } = shiftParts(s);
	if (distortion === 0) return 'clean digits, as in pretraining';
	const rot = `rotation up to ±${(30 * distortion).toFixed(0)}°, shifts up to ${(2 * distortion).toFixed(1)} px`;
	if (permuted === 0) return `${rot}, no pixels scrambled`;
	return `${rot}, ${Math.round(permuted * 64)} of 64 pixel positions scrambled`;
}

/** A condition's label for headers: "s = 0.50" or the task's name. */
export function conditionLabel(c: Condition): string {
	if (c.kind === 'shift') return `shift ${c.s.toFixed(2)}`;
	return c.task === 'new-classes'
		? 'new classes (5–9)'
		: c.task === 'permuted'
			? 'the large drift (permuted pixels)'
			: `a planted rank-${PLANTED.rank} change`;
}

/** The task a condition trains on. */
export function taskOf(c: Condition): TaskSpec {
	if (c.kind === 'shift') return { kind: 'digits', task: 'shift', strength: c.s };
	if (c.task === 'planted') return { kind: 'synthetic', ...PLANTED };
	return { kind: 'digits', task: c.task, strength: 1 };
}

/**
 * The base's own task, scored after fine-tuning to measure forgetting: clean digits, the digits
 * 0–4 for the five-class base, and for the planted task the old teacher's labels (a planted
 * update of size 0).
 */
export function originalOf(c: Condition): TaskSpec {
	if (c.kind === 'task' && c.task === 'planted') return { kind: 'synthetic', rank: 0, relNorm: 0 };
	return c.kind === 'task' && c.task === 'new-classes'
		? { kind: 'digits', task: 'pretrain-0to4' }
		: { kind: 'digits', task: 'pretrain' };
}

/** Whether a method can run under a condition (its LoRA rank fits the adapted layers). */
export function methodFits(m: ShiftMethod, c: Condition): boolean {
	return m.rank === undefined || m.rank <= maxRankOf(c);
}

/** The run id of a method under a condition: `lora-4@s0.5000`. */
export function runId(m: ShiftMethod, c: Condition): string {
	return `${m.id}@${conditionKey(c)}`;
}

/** Parse a run id back into its method and condition key; null when it is not one of ours. */
export function parseRunId(id: string): { method: string; condition: string } | null {
	const at = id.indexOf('@');
	if (at < 1) return null;
	const method = id.slice(0, at);
	if (!SHIFT_METHODS.some((m) => m.id === method)) return null;
	return { method, condition: id.slice(at + 1) };
}

/**
 * The queue for one condition: every method of `methods` that fits it (`methodFits`), `steps`
 * each, measuring forgetting; full fine-tuning also reports its update's spectrum and truncated
 * accuracies.
 */
export function runsFor(
	c: Condition,
	opts: { steps?: number; seed?: number; methods?: readonly ShiftMethod[] } = {}
): QueuedRun[] {
	const { steps = SHIFT_TRAINING.steps, seed = SHIFT_TRAINING.seed } = opts;
	const ks = TRUNCATION_KS.filter((k) => k <= maxRankOf(c));
	return (opts.methods ?? SHIFT_METHODS)
		.filter((m) => methodFits(m, c))
		.map((m) => ({
			id: runId(m, c),
			steps,
			spec: {
				task: taskOf(c),
				method: m.method,
				rank: m.rank,
				alpha: m.rank ? LORA_SCALE * m.rank : undefined,
				lr: m.lr,
				batchSize: SHIFT_TRAINING.batchSize,
				seed
			},
			measure: {
				original: originalOf(c),
				...(m.method === 'full'
					? {
							spectrum: SPECTRUM_LAYER,
							truncation: { layer: SPECTRUM_LAYER, ks }
						}
					: {})
			}
		}));
}

/** One filled cell of the grid. */
export interface Cell {
	method: string;
	condition: string;
	/** Held-out accuracy in [0, 1] after training; NaN when the run diverged. */
	accuracy: number;
	/** Held-out accuracy of the untouched base on this condition. */
	start: number;
	/** Accuracy on the base's own task after fine-tuning (forgetting); NaN when not measured. */
	original: number;
	trainableParams: number;
	diverged?: string;
	singularValues?: number[];
	truncation?: { k: number; accuracy: number }[];
}

/** A queue result as a cell; null when its id is not a grid run. */
export function cellOf(r: QueuedResult): Cell | null {
	const key = parseRunId(r.id);
	if (!key) return null;
	return {
		...key,
		accuracy: r.diverged ? NaN : r.testAccuracy,
		start: r.startAccuracy,
		original: r.originalAccuracy ?? NaN,
		trainableParams: r.trainableParams,
		diverged: r.diverged,
		singularValues: r.singularValues,
		truncation: r.truncation
	};
}

/** Cells by `method@condition`, the later of two cells with the same key winning. */
export function indexCells(cells: readonly Cell[]): Map<string, Cell> {
	return new Map(cells.map((c) => [`${c.method}@${c.condition}`, c]));
}

/**
 * The course's percentage ("91.4%" or "—") with one argument, so `values.map(pct)` keeps one
 * decimal (an index passed as `digits` would change it).
 */
export const pct = (v: number | undefined): string => formatPct(v);

/** A gap in points with its sign: "−12.3" or "+0.8" or "—". */
export function points(v: number | undefined): string {
	if (v === undefined || !Number.isFinite(v)) return '—';
	const p = v * 100;
	const s = Math.abs(p).toFixed(1);
	return p < -0.05 ? `−${s}` : p > 0.05 ? `+${s}` : '0.0';
}

/** Gap of a cell to full fine-tuning under the same condition, in accuracy (negative: behind). */
export function gapToFull(cells: Map<string, Cell>, method: string, condition: string): number {
	const m = cells.get(`${method}@${condition}`);
	const f = cells.get(`full@${condition}`);
	return m && f ? m.accuracy - f.accuracy : NaN;
}

/**
 * Full fine-tuning must gain at least this much accuracy over the base for a share of its gain to
 * mean anything (with less, a share is a ratio of noise).
 */
export const MIN_GAIN = 0.02;

/**
 * The share of full fine-tuning's gain a method recovers under a condition:
 * (acc − start) / (full − start), with start the base's accuracy before fine-tuning. NaN where a
 * cell is missing or full fine-tuning gained less than `MIN_GAIN`.
 */
export function gainShare(cells: Map<string, Cell>, method: string, condition: string): number {
	const m = cells.get(`${method}@${condition}`);
	const f = cells.get(`full@${condition}`);
	if (!m || !f || !(f.accuracy - f.start >= MIN_GAIN)) return NaN;
	return (m.accuracy - f.start) / (f.accuracy - f.start);
}

/** A share of full fine-tuning's gain as a whole percentage: "85%" or "—". */
export function share(v: number): string {
	return Number.isFinite(v) ? `${Math.round(v * 100)}%` : '—';
}

/** The best (largest) accuracy among LoRA ranks ≤ `maxRank` under a condition; NaN if none. */
export function bestLowRank(cells: Map<string, Cell>, condition: string, maxRank = 4): number {
	const id = bestLowRankId(cells, condition, maxRank);
	return id ? cells.get(`${id}@${condition}`)!.accuracy : NaN;
}

/** The id of the best LoRA rank ≤ `maxRank` under a condition (the lower rank on a tie), or null. */
export function bestLowRankId(
	cells: Map<string, Cell>,
	condition: string,
	maxRank = 4
): string | null {
	let best: { id: string; accuracy: number } | null = null;
	for (const m of SHIFT_METHODS) {
		if (m.method !== 'lora' || (m.rank ?? 0) > maxRank) continue;
		const c = cells.get(`${m.id}@${condition}`);
		if (c && Number.isFinite(c.accuracy) && !(best && c.accuracy <= best.accuracy))
			best = { id: m.id, accuracy: c.accuracy };
	}
	return best?.id ?? null;
}

/**
 * The sentence under the grid for one condition: how far LoRA at rank ≤ 4, head-only and BitFit
 * fall behind full fine-tuning, and which method forgot least. Built only from the cells given.
 */
export function conditionSummary(cells: Map<string, Cell>, c: Condition): string {
	const key = conditionKey(c);
	const full = cells.get(`full@${key}`);
	const name =
		c.kind === 'shift'
			? `At ${shiftWords(c.s)} (s = ${c.s.toFixed(2)})`
			: `On ${conditionLabel(c)}`;
	if (!full || !Number.isFinite(full.accuracy)) {
		const done = SHIFT_METHODS.filter((m) => cells.has(`${m.id}@${key}`)).length;
		return `${name}: ${done} of ${SHIFT_METHODS.length} methods finished; full fine-tuning has not, so no gaps yet.`;
	}
	const parts = [
		`${name} the base starts at ${pct(full.start)}; full fine-tuning reaches ${pct(full.accuracy)}.`
	];
	const low = bestLowRank(cells, key, 4);
	if (Number.isFinite(low)) {
		const gap = low - full.accuracy;
		const verdict =
			gap >= -0.02
				? 'within 2 points of it'
				: gap <= -0.1
					? 'at least 10 points behind'
					: 'behind it';
		const lowId = bestLowRankId(cells, key, 4);
		const recovered = lowId ? gainShare(cells, lowId, key) : NaN;
		parts.push(
			`The better of LoRA r = 1 and r = 4 gets ${pct(low)} (${points(gap)} points${Number.isFinite(recovered) ? `, ${share(recovered)} of full fine-tuning's gain` : ''}), ${verdict}.`
		);
	}
	const others = (['head', 'bitfit'] as const)
		.map((id) => ({ id, c: cells.get(`${id}@${key}`) }))
		.filter((o) => o.c && Number.isFinite(o.c.accuracy));
	if (others.length)
		parts.push(
			others
				.map((o) => {
					const recovered = gainShare(cells, o.id, key);
					return `${o.id === 'head' ? 'Head only' : 'BitFit'} ${pct(o.c!.accuracy)}${Number.isFinite(recovered) ? ` (${share(recovered)})` : ''}`;
				})
				.join(', ') + '.'
		);
	const forgot = SHIFT_METHODS.map((m) => cells.get(`${m.id}@${key}`)).filter(
		(x): x is Cell => !!x && Number.isFinite(x.original)
	);
	if (forgot.length >= 2 && Number.isFinite(full.original)) {
		const lora = forgot.filter((x) => x.method.startsWith('lora-'));
		const loraBest = lora.length ? Math.max(...lora.map((x) => x.original)) : NaN;
		if (Number.isFinite(loraBest))
			parts.push(
				`On the original task, full fine-tuning keeps ${pct(full.original)} and LoRA up to ${pct(loraBest)}.`
			);
	}
	return parts.join(' ');
}

/** What recorded grids look like on disk (`src/lib/data/shiftLab.json`). */
export interface ShiftRecord {
	recorded: string;
	where: string;
	backend: string;
	training: typeof SHIFT_TRAINING;
	methods: readonly ShiftMethod[];
	seconds: number;
	cells: Cell[];
}

/** The pretrained model before any fine-tuning, as a row of the grid's tables and a chart line. */
export const BASE_METHOD: ShiftMethod = {
	id: 'base',
	label: 'Base, no fine-tuning',
	method: 'full',
	lr: 0
};

/**
 * Held-out accuracy of the untouched base under a condition, read from the runs themselves: every
 * run records the base's accuracy before its first step (`start`), full fine-tuning's first.
 * NaN when no run of the condition has finished.
 */
export function baseAccuracy(cells: Map<string, Cell>, condition: string): number {
	for (const m of SHIFT_METHODS) {
		const c = cells.get(`${m.id}@${condition}`);
		if (c && Number.isFinite(c.start)) return c.start;
	}
	return NaN;
}

/**
 * The base as a cell of a condition, for the tables and charts: its accuracy on the condition, and
 * on its own task the clean-digits accuracy of the ten-digit base where the condition starts from
 * it (every shift, the medium shift and the large drift), NaN for the five-class and teacher bases,
 * whose own-task score the grid does not record. Null when nothing is known.
 */
export function baseCell(cells: Map<string, Cell>, c: Condition): Cell | null {
	const key = conditionKey(c);
	const accuracy = baseAccuracy(cells, key);
	if (!Number.isFinite(accuracy)) return null;
	const tenDigits = c.kind === 'shift' || c.task === 'permuted';
	return {
		method: BASE_METHOD.id,
		condition: key,
		accuracy,
		start: accuracy,
		original: tenDigits ? baseAccuracy(cells, conditionKey({ kind: 'shift', s: 0 })) : NaN,
		trainableParams: 0
	};
}
