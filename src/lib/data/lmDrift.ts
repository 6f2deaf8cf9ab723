/**
 * The language model's drift dial: the plan of the recorded grid (scripts/lmdrift.ts writes
 * lmDrift.json) and its reading. The shipped English character model (`englishlm`, pretrained on
 * State of the Union addresses of 1790–1869) is fine-tuned on the addresses of four later periods
 * (the dial in time), on Moby-Dick (its own era, another style) and on d3's JavaScript (a far
 * domain with characters the base never saw), by full fine-tuning, LoRA on W_q and W_v at three
 * ranks, head only and BitFit, each at four or five learning rates; the lesson compares each
 * method at its own best rate. One seed. Plain data, no tfjs: the script, the test and the lessons share it.
 *
 *   target × method × lr ──runsFor──▶ QueuedRun[] ──scripts/lmdrift.ts──▶ lmDrift.json (bits per character)
 */
import type { QueuedRun, RunSpec } from '$lib/trainer/protocol';
import { TEXT_CORPUS_IDS, type TextCorpusId } from '$lib/model/data/text';
import { METHOD_LABELS } from '$lib/math/methods';

/** The base's pretraining text: the State of the Union addresses of 1790–1869. */
export const LM_PRETRAIN_CORPORA = ['sotu-1790-1829', 'sotu-1830-1869'] as const;

/** A corpus fine-tuned on: every shipped corpus but the base's pretraining text. */
export type LmTarget = Exclude<TextCorpusId, (typeof LM_PRETRAIN_CORPORA)[number]>;

/**
 * The corpora fine-tuned on, in the shipped order: the dial in time, then another style, then the
 * far domain.
 */
export const LM_TARGETS: readonly LmTarget[] = TEXT_CORPUS_IDS.filter(
	(id): id is LmTarget => !(LM_PRETRAIN_CORPORA as readonly string[]).includes(id)
);

/** The stops of the dial in time (a subset of `LM_TARGETS`, in order). */
export const LM_DIAL: readonly LmTarget[] = LM_TARGETS.slice(0, 4);

/** The base's own era: forgetting is its held-out bits per character here after fine-tuning. */
export const LM_BASE_ERA: TextCorpusId = 'sotu-1830-1869';

/**
 * Characters (vocabulary ids) that never occur in the base's pretraining text, the training
 * splits of sotu-1790-1829 and sotu-1830-1869 (the test recomputes them): # & * + < = > @ X Z
 * [ \ ] ^ _ ` { | } ~. d3's code is full of them; the addresses have a few.
 */
export const BASE_UNSEEN_CHARS: readonly number[] = [
	4, 7, 11, 12, 29, 30, 31, 33, 57, 59, 60, 61, 62, 63, 64, 65, 92, 93, 94, 95
];

/** The LoRA ranks of the grid. */
export const LM_RANKS = [1, 4, 16] as const;

/** LoRA's α is twice the rank (α/r = 2), as in the digits grids. */
export const LM_LORA_SCALE = 2;

/** LoRA's targets: the query and value projections of every layer, as Hu et al. adapt them. */
export const LM_LORA_TARGETS = ['h0.q', 'h0.v', 'h1.q', 'h1.v', 'h2.q', 'h2.v'];

/** A method of the grid: one row. */
export interface LmMethod {
	/** Row key, also the run id's prefix: `full`, `lora-4`, `head`, `bitfit`. */
	id: string;
	label: string;
	method: RunSpec['method'];
	rank?: number;
	/** The learning rates tried, low to high; the lesson shows each target's best. */
	lrs: readonly number[];
}

/**
 * Learning rates per method, a factor of about three apart. A pilot of 400 steps on
 * sotu-1990-2021 and d3-code placed three per method (held-out bits per character; the pilot's
 * rates in braces): full fine-tuning {3e-4, 1e-3, 3e-3} was best at 1e-3 on the addresses and at
 * 3e-3 on the code; LoRA r = 4 {1e-3, 3e-3, 1e-2, 3e-2} at 1e-2 on both (one set for every rank,
 * α/r = 2); head only {1e-3 … 3e-2} at 3e-3 and 1e-2. The recording's first target, the nearest
 * era, then found every method best at the lowest of those three (full fine-tuning at 3e-4), so
 * each got one rate below, and full fine-tuning, the reference every other method is a fraction
 * of, one above too. BitFit trains every bias and the head (as Ben Zaken et al. published it; the
 * pilot's biases-only BitFit is not this method): five rates, 3e-4 to 3e-2. Where a target's
 * best is still an end of its set, the rate beyond was found worse (head only on the code: 3e-2
 * in the pilot) or ties it (LoRA r = 16 on 1870–1909: 1e-3 and 3e-3 within 1e-4 bits).
 */
export const LM_LRS = {
	full: [1e-4, 3e-4, 1e-3, 3e-3, 1e-2],
	lora: [1e-3, 3e-3, 1e-2, 3e-2],
	head: [3e-4, 1e-3, 3e-3, 1e-2],
	bitfit: [3e-4, 1e-3, 3e-3, 1e-2, 3e-2]
} as const;

/** The grid's rows. */
export const LM_METHODS: readonly LmMethod[] = [
	{ id: 'full', label: METHOD_LABELS.full, method: 'full', lrs: LM_LRS.full },
	...LM_RANKS.map((rank): LmMethod => ({
		id: `lora-${rank}`,
		label: `${METHOD_LABELS.lora} r = ${rank} (W_q, W_v)`,
		method: 'lora',
		rank,
		lrs: LM_LRS.lora
	})),
	{ id: 'head', label: METHOD_LABELS.head, method: 'head', lrs: LM_LRS.head },
	{ id: 'bitfit', label: METHOD_LABELS.bitfit, method: 'bitfit', lrs: LM_LRS.bitfit }
];

/** Steps, batch (windows of 64 characters), seed, and held-out windows of every run. */
export const LM_TRAINING = { steps: 400, batchSize: 8, seed: 1, testWindows: 256 } as const;

/** The sample every run writes at the end (and the base before any step). */
export const LM_SAMPLE = { prompt: 'The ', length: 200, temperature: 0.7, seed: 1 } as const;

/** The id of a run: `lora-4@d3-code@0.003`; the base's zero-step runs are `base@<target>`. */
export function runId(method: string, target: LmTarget, lr?: number): string {
	return lr === undefined ? `${method}@${target}` : `${method}@${target}@${lr}`;
}

/** A run's method, target and learning rate from its id, or null for an id not of this grid. */
export function parseRunId(id: string): { method: string; target: LmTarget; lr?: number } | null {
	const [method, target, lr, ...rest] = id.split('@');
	if (rest.length || !(LM_TARGETS as readonly string[]).includes(target)) return null;
	if (method === 'base') return lr === undefined ? { method, target: target as LmTarget } : null;
	const m = LM_METHODS.find((x) => x.id === method);
	if (!m || lr === undefined || !m.lrs.includes(Number(lr))) return null;
	return { method, target: target as LmTarget, lr: Number(lr) };
}

function english(corpus: TextCorpusId) {
	return { kind: 'english', corpus, testWindows: LM_TRAINING.testWindows } as const;
}

/** What every run measures: forgetting, a sample, and on code the characters the base never saw. */
function measureOf(target: LmTarget): QueuedRun['measure'] {
	return {
		original: english(LM_BASE_ERA),
		sample: { ...LM_SAMPLE },
		...(target === 'd3-code' ? { charLoss: [...BASE_UNSEEN_CHARS] } : {})
	};
}

/** The base on `target`: a run of zero steps, measured as every run is. */
export function baseRun(target: LmTarget): QueuedRun {
	return {
		id: runId('base', target),
		steps: 0,
		spec: {
			task: english(target),
			method: 'full',
			lr: 1e-3,
			batchSize: LM_TRAINING.batchSize,
			seed: LM_TRAINING.seed
		},
		measure: measureOf(target)
	};
}

/** The runs of one target: the base, then every method at every one of its rates. */
export function runsFor(target: LmTarget, opts: { steps?: number } = {}): QueuedRun[] {
	const { steps = LM_TRAINING.steps } = opts;
	return [
		baseRun(target),
		...LM_METHODS.flatMap((m) =>
			m.lrs.map((lr): QueuedRun => ({
				id: runId(m.id, target, lr),
				steps,
				spec: {
					task: english(target),
					method: m.method,
					rank: m.rank,
					alpha: m.rank ? LM_LORA_SCALE * m.rank : undefined,
					targets: m.method === 'lora' ? [...LM_LORA_TARGETS] : undefined,
					lr,
					batchSize: LM_TRAINING.batchSize,
					seed: LM_TRAINING.seed
				},
				measure: measureOf(target)
			}))
		)
	];
}

/** One recorded run, in bits per character. */
export interface LmCell {
	/** `base` for the zero-step run, else a method id of `LM_METHODS`. */
	method: string;
	target: LmTarget;
	/** Absent for the base. */
	lr?: number;
	/** Held-out bits per character on the target after the steps, and before the first. */
	bits: number;
	startBits: number;
	/** Held-out bits per character on the base era after the steps (forgetting). */
	originalBits: number;
	trainableParams: number;
	steps: number;
	seconds: number;
	/** `LM_SAMPLE`'s continuation written by the weights at the end. */
	sample: string;
	/** On d3's code: bits on the characters the base never saw, on the rest, and their counts. */
	unseen?: { bits: number; count: number; restBits: number; restCount: number };
	diverged?: string;
}

/** What lmDrift.json holds. */
export interface LmDriftRecord {
	recorded: string;
	where: string;
	backend: string;
	training: typeof LM_TRAINING;
	sample: typeof LM_SAMPLE;
	baseEra: string;
	unseenChars: string;
	methods: { id: string; label: string; rank?: number; lrs: number[] }[];
	/** Seconds of the whole recording (training, evaluation and measures). */
	seconds: number;
	cells: LmCell[];
}

/** The cell of a method's best learning rate on a target: the lowest held-out bits (undiverged). */
export function bestCell(
	cells: readonly LmCell[],
	method: string,
	target: LmTarget
): LmCell | null {
	let best: LmCell | null = null;
	for (const c of cells) {
		if (c.method !== method || c.target !== target || c.diverged) continue;
		if (!best || c.bits < best.bits) best = c;
	}
	return best;
}

/** The base's zero-step cell on a target. */
export function baseCell(cells: readonly LmCell[], target: LmTarget): LmCell | null {
	return cells.find((c) => c.method === 'base' && c.target === target) ?? null;
}

/**
 * The share of full fine-tuning's gain a method recovers on a target, each at its best rate:
 * (base − method) / (base − full), in bits per character. Null where a cell is missing or full
 * fine-tuning gained nothing.
 */
export function gainRecovered(
	cells: readonly LmCell[],
	method: string,
	target: LmTarget
): number | null {
	const base = baseCell(cells, target);
	const full = bestCell(cells, 'full', target);
	const m = bestCell(cells, method, target);
	if (!base || !full || !m || !(base.bits - full.bits > 0)) return null;
	return (base.bits - m.bits) / (base.bits - full.bits);
}
