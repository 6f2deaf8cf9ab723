/**
 * Experiments: a queue of fine-tuning runs, each trained for a fixed number of steps and then
 * measured, so a lesson can fill a grid (method × shift → accuracy), compare adapters of two
 * ranks, or sweep an intrinsic dimension. Plain data free of tfjs, so pages can describe and
 * show recorded results without loading the trainer. The runner lives in `experiments.ts`; the
 * worker runs a queue in order, reports progress and each result, and stops on `cancel`.
 *
 *   page ── queue (runs) ──▶ worker ── queue-progress … queue-result (one per run) … queue-done
 *        ── cancel ──▶               (the run in progress stops; queue-done says cancelled)
 */
import type { RunSpec, TaskSpec } from './protocol';

/** What to measure when a queued run has finished its steps. All optional. */
export interface MeasureSpec {
	/** Singular values of the layer's ΔW at the end (descending). */
	spectrum?: string;
	/**
	 * Held-out accuracy of the tuned model on this other task (forgetting: the base's original
	 * task). It must have as many classes as the run's task.
	 */
	original?: TaskSpec;
	/**
	 * Held-out accuracy of W₀ + ΔW_k, ΔW truncated to its top k singular directions, for each k
	 * (the layer's other weights as trained).
	 */
	truncation?: { layer: string; ks: number[] };
	/** LoRA's A [r, inDim] and B [outDim, r] of this layer, for subspace comparisons (φ). */
	factors?: string;
	/** Held-out accuracy every this many steps, for a curve (0 or absent: none). */
	curveEvery?: number;
	/**
	 * Text written by the tuned weights at the end, as the page's Generate writes it (the prompt
	 * folded to the vocabulary; none: a newline). Language models of the 96-symbol vocabulary only.
	 */
	sample?: { prompt: string; length: number; temperature: number; seed: number };
	/**
	 * Held-out loss split by the character to predict: on these ids (e.g. the characters the base
	 * never saw in pretraining) and on every other. Next-character tasks only.
	 */
	charLoss?: number[];
}

/** One run of a queue. `spec.maxSteps` is ignored: `steps` says how long it trains. */
export interface QueuedRun {
	/** The caller's key for this run ("lora-4@0.5"), echoed in its events. */
	id: string;
	spec: RunSpec;
	steps: number;
	measure?: MeasureSpec;
}

/** What a finished run measured. */
export interface QueuedResult {
	id: string;
	/** Held-out accuracy and loss after the last step. */
	testAccuracy: number;
	testLoss: number;
	/** Accuracy on a sample of the training set after the last step. */
	trainAccuracy: number;
	/** Held-out accuracy before the first step (the base, or the random start). */
	startAccuracy: number;
	/** Held-out loss before the first step (always set by `runQueued`). */
	startLoss?: number;
	trainableParams: number;
	/** Steps trained when the numbers above were measured (fewer than asked when it diverged). */
	steps: number;
	/** Wall-clock seconds spent in training steps (evaluations and measures not counted). */
	seconds: number;
	/** The tfjs backend it trained on. */
	backend: string;
	/** Set when the run diverged: the explanation; the numbers are those before it. */
	diverged?: string;
	singularValues?: number[];
	originalAccuracy?: number;
	/** Held-out loss (nats per label) on `measure.original`'s task. */
	originalLoss?: number;
	truncation?: { k: number; accuracy: number }[];
	factors?: {
		layer: string;
		rank: number;
		inDim: number;
		outDim: number;
		A: number[];
		B: number[];
	};
	curve?: { step: number; testAccuracy: number }[];
	/** The text `measure.sample` asked for (the continuation alone, without the prompt). */
	sample?: string;
	/**
	 * Held-out loss (nats) on the labels `measure.charLoss` names and on the rest, and how many
	 * labels each side has; together they average to `testLoss`.
	 */
	charLoss?: { loss: number; count: number; restLoss: number; restCount: number };
}
