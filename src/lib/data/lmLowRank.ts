/**
 * The low-rank record of lesson 4 (and lesson 6's "ranks the full updates needed"): the plan of
 * the runs `scripts/lmlowrank.ts` records into lmLowRank.json, its types, and its reading. Plain
 * data, no tfjs: the script, the tests and the figures share it.
 *
 * - `full`: full fine-tuning of the English character model (`englishlm`, 3 blocks of width 96)
 *   on each target of the drift dial, at full fine-tuning's best learning rate there (lmDrift.json),
 *   with the final singular values of ΔW of all 18 matrices and the rank holding 90% of each
 *   one's energy. The targets `sotu-1990-2021` and `d3-code` are the spectrum lab's
 *   `english-modern` and `english-code` setups, run exactly as the lab runs them.
 * - `lab`: the same for the spectrum lab's other setups (digits, planted teacher, tiny
 *   transformer), every matrix it offers, with the lab's own settings.
 * - `sweep`: LoRA on W_q and W_v of one block of the language model at ranks 1 to 64 on the
 *   modern addresses (figure 4), beside full fine-tuning.
 * - `phi`: the rank-8 and rank-64 adapters of the sweep compared on W_q (figure 5, LoRA §7).
 *
 *   plan (runs) ──scripts/lmlowrank.ts──▶ lmLowRank.json ──loadLmLowRank()──▶ figures (lazily)
 */
import type { QueuedRun, RunSpec, TaskSpec } from '$lib/trainer/protocol';
import type { TextCorpusId } from '$lib/model/data/text';
import { LM_TARGETS, type LmTarget } from './lmDrift';

/** Steps, batch (windows of 64 characters) and seed of every language-model run here. */
export const LM_LR_TRAINING = { steps: 400, batchSize: 8, seed: 1 } as const;

/**
 * Full fine-tuning's best learning rate on each target in the drift dial's recording
 * (lmDrift.json, 400 steps; the unit test checks it against the file).
 */
export const LM_FULL_LR: Record<LmTarget, number> = {
	'sotu-1870-1909': 3e-4,
	'sotu-1910-1949': 3e-4,
	'sotu-1950-1989': 1e-3,
	'sotu-1990-2021': 1e-3,
	'moby-dick': 1e-3,
	'd3-code': 3e-3
};

/** The spectrum lab's setup ids for the targets it offers. */
export const LAB_TARGETS = {
	'english-modern': 'sotu-1990-2021',
	'english-code': 'd3-code'
} as const satisfies Record<string, LmTarget>;

/** The block whose W_q and W_v the rank sweep adapts (the middle one of three). */
export const SWEEP_BLOCK = 1;
export const SWEEP_TARGET: LmTarget = 'sotu-1990-2021';
export const SWEEP_LAYERS = [`h${SWEEP_BLOCK}.q`, `h${SWEEP_BLOCK}.v`] as const;
/** LoRA ranks of the sweep. */
export const SWEEP_RANKS = [1, 2, 4, 8, 16, 32, 64] as const;
/**
 * LoRA's learning rate at every rank (α = 2r): LoRA r = 16's best on this target in the drift
 * dial (3e-3; r = 4's was 1e-2, and r = 16 at 3e-2 diverged), one rate for the whole sweep.
 */
export const SWEEP_LR = 3e-3;
/** The two adapters φ compares, on W_q of the sweep's block, as LoRA §7. */
export const LM_PHI_RANKS = [8, 64] as const;
export const LM_PHI_LAYER = `h${SWEEP_BLOCK}.q`;

/** The task of a target: the corpus, as the lab names it (no `testWindows`: its default). */
export function lmTask(target: LmTarget): TaskSpec {
	return { kind: 'english', corpus: target as TextCorpusId };
}

/** Full fine-tuning of the language model on a target at its best rate. */
export function lmFullSpec(target: LmTarget): RunSpec {
	return {
		task: lmTask(target),
		method: 'full',
		lr: LM_FULL_LR[target],
		batchSize: LM_LR_TRAINING.batchSize,
		seed: LM_LR_TRAINING.seed
	};
}

/** LoRA at rank r on the sweep's W_q and W_v, α = 2r. */
export function lmLoraSpec(r: number, alpha = 2 * r): RunSpec {
	return {
		task: lmTask(SWEEP_TARGET),
		method: 'lora',
		rank: r,
		alpha,
		targets: [...SWEEP_LAYERS],
		lr: SWEEP_LR,
		batchSize: LM_LR_TRAINING.batchSize,
		seed: LM_LR_TRAINING.seed
	};
}

export const lmFullId = (target: LmTarget) => `full@${target}`;
export const lmLoraId = (r: number) => `lora-${r}@${SWEEP_TARGET}`;

/** The runs of the record's language-model part, in order. */
export function lmRuns(): QueuedRun[] {
	return [
		...LM_TARGETS.map((t) => ({
			id: lmFullId(t),
			spec: lmFullSpec(t),
			steps: LM_LR_TRAINING.steps,
			measure: { spectrum: 'h0.q' }
		})),
		...SWEEP_RANKS.map((r) => ({
			id: lmLoraId(r),
			spec: lmLoraSpec(r),
			steps: LM_LR_TRAINING.steps,
			measure: (LM_PHI_RANKS as readonly number[]).includes(r)
				? { factors: LM_PHI_LAYER }
				: undefined
		}))
	];
}

/** One full run's ΔW spectra, keyed by matrix name. */
export interface SpectraRun {
	/** Learning rate, batch and steps of the run. */
	lr: number;
	batchSize: number;
	steps: number;
	/** Held-out loss before and after (nats per label; bits per character for the language model). */
	startLoss: number;
	testLoss: number;
	startAccuracy: number;
	testAccuracy: number;
	seconds: number;
	/** σ of ΔW per matrix, descending, 4 significant digits. */
	spectra: Record<string, number[]>;
	/** Fewest directions holding 90% of ΔW's energy, per matrix. */
	rank90: Record<string, number>;
}

/** What lmLowRank.json holds. */
export interface LmLowRankRecord {
	recorded: string;
	where: string;
	backend: string;
	/** Seconds of the whole recording. */
	seconds: number;
	training: typeof LM_LR_TRAINING;
	/** Language model, by target of the drift dial. */
	full: Record<LmTarget, SpectraRun & { startBits: number; bits: number }>;
	/** The spectrum lab's other setups, by setup id, with the lab's settings. */
	lab: Record<string, SpectraRun>;
	sweep: {
		target: LmTarget;
		layers: string[];
		lr: number;
		/** Held-out bits per character of the base and of full fine-tuning at the best rate. */
		baseBits: number;
		fullBits: number;
		runs: { rank: number; bits: number; trainableParams: number; diverged?: string }[];
	};
	phi: {
		layer: string;
		r1: number;
		r2: number;
		d: number;
		/** Held-out bits per character of the two adapters. */
		bits: number[];
		/** φ(A_{r1}, A_{r2}, i, j), r1 × r2 row-major, 3 significant digits. */
		grid: number[];
	};
}

let cache: Promise<LmLowRankRecord> | null = null;

/** The record, loaded once on first use (it is too large to ship with the page's code). */
export function loadLmLowRank(): Promise<LmLowRankRecord> {
	cache ??= import('./lmLowRank.json').then((m) => m.default as unknown as LmLowRankRecord);
	return cache;
}
