/**
 * Everything that crosses between a page and its trainer worker, as plain data: the run, queue and
 * ladder specs, the backends, the ledgers and results, and the typed messages themselves
 * (`TrainerRequest` in, `TrainerEvent` out). Only numbers, strings and typed arrays cross, never
 * tensors, and nothing here loads tfjs, so pages import it freely; the worker side lives in
 * `worker/`. ΔW snapshots
 * travel as transferred Float32Arrays, one at a time: the page asks for the next one when it has
 * drawn the last, so there is at most one per animation frame.
 *
 *   page ── init ──▶ worker ── ready (backend, reason)
 *        ── configure ──▶     ── progress … configured (ledger, layers)
 *        ── run | step ──▶    ── metrics … evaluation (every few hundred ms)
 *        ── snapshot ──▶      ── snapshot (ΔW of the watched layer)
 *        ── ladder ──▶        ── ladder (progress) … rung (one finished model)
 *        ── base ──▶          ── base (W₀ of a layer and its singular values)
 *        ── queue ──▶         ── queue-progress … queue-result (one per run) … queue-done
 *        ── cancel ──▶        (stops the queue)
 *        ── generate ──▶      ── sample (text written by the current weights)
 *        ── pause | reset | backend | pace | dispose
 *                             ── fallback | error (divergence, load, backend)
 */
import type { TextCorpusId } from '$lib/model/data/text';

/** The tfjs backends the course can run on, in the order tried when nothing is known. */
export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
/** A backend, or `auto` to let the device decide. */
export type BackendChoice = BackendName | 'auto';

/** What the browser says about its WebGPU adapter. */
export interface GpuProbe {
	available: boolean;
	/** A software adapter: correct but slow (SwiftShader, or marked as a fallback). */
	software: boolean;
	/** Vendor and architecture, for the badge ("google swiftshader"). */
	description: string;
}

/** An earlier automatic choice on this device, remembered by the page between visits. */
export interface RememberedChoice {
	backend: BackendName;
	/** The GPU description it was made with; a different adapter means a new warm-up. */
	gpu: string;
}

/** Which shipped base model and task a run fine-tunes. */
export type TaskSpec =
	| { kind: 'digits'; task: string; strength?: number }
	| { kind: 'text'; task: 'pretrain' | 'finetune-small' | 'finetune-large' }
	/**
	 * The English language model (`englishlm`) fine-tuned on a shipped corpus; `testWindows`
	 * held-out windows scored (default `ENGLISH_TEST_WINDOWS`, clamped to 1…`ENGLISH_MAX_TEST_WINDOWS`).
	 */
	| { kind: 'english'; corpus: TextCorpusId; testWindows?: number }
	| { kind: 'synthetic'; rank: number; relNorm: number };

/** What every run says, whatever its method; plain data, kept in the URL by widgets. */
interface RunBase {
	task: TaskSpec;
	lr: number;
	batchSize: number;
	seed: number;
	/** Linear layer whose ΔW snapshots are sent; default the first. */
	watch?: string;
	/** Pause by itself after this many steps (0 or absent: run until paused). */
	maxSteps?: number;
	/** Start from the shipped base (default) or from a seeded random initialisation. */
	init?: 'base' | 'scratch';
}

/** LoRA: ΔW = (α/r)·B·A on the target layers, the base frozen. */
export interface LoraRunSpec extends RunBase {
	method: 'lora';
	/** LoRA rank r (default 4) and α (default r). */
	rank?: number;
	alpha?: number;
	/** LoRA target layers; default all but the head. */
	targets?: string[];
}

/** Intrinsic dimension: θ = θ₀ + P·z with z of `subspaceDim` dimensions (default 64). */
export interface SubspaceRunSpec extends RunBase {
	method: 'subspace';
	subspaceDim?: number;
}

/** Full fine-tuning, the head only, or BitFit's biases: nothing more to say. */
export interface PlainRunSpec extends RunBase {
	method: 'full' | 'head' | 'bitfit';
}

/**
 * Everything a run needs, a case per method (as HF PEFT has a config per method). A spec built
 * with the method in a variable may still carry another method's settings; the worker reads only
 * its own method's (`worker/sources.ts`), as the model's methods always have.
 */
export type RunSpec = LoraRunSpec | SubspaceRunSpec | PlainRunSpec;

/** Requests from the page. */
export type TrainerRequest =
	| { type: 'init'; backend: BackendChoice; assets: string; remembered?: RememberedChoice }
	| { type: 'configure'; spec: RunSpec }
	| { type: 'run' }
	| { type: 'pause' }
	| { type: 'step'; steps: number }
	| { type: 'reset' }
	| { type: 'snapshot' }
	| { type: 'backend'; backend: BackendChoice }
	| { type: 'dispose' }
	/** Train a scaling ladder on the digits from scratch (`spec`), or resume a paused one (`null`); `pause` stops it. */
	| { type: 'ladder'; spec: LadderSpec | null }
	/** W₀ of a layer of the configured run, with its singular values. */
	| { type: 'base'; layer: string }
	/** Run these to completion in order, after any queue in progress is cancelled. */
	| { type: 'queue'; runs: QueuedRun[] }
	/** Stop the queue in progress. */
	| { type: 'cancel' }
	/**
	 * Write `length` characters after `prompt` with the configured language model's current
	 * weights (training goes on around it), at `temperature`, from `seed`.
	 */
	| { type: 'generate'; prompt: string; length: number; temperature: number; seed: number }
	/** How fast a run or ladder goes from now on (see `PACES`); `normal` until asked. */
	| { type: 'pace'; pace: Pace };

/**
 * How fast a live figure trains, as GAN Lab's slow motion: `steps` per chunk (null: as many as
 * fit in a few tens of milliseconds) and `gapMs` between chunks, so a reader can watch one step
 * at a time. Queues of whole runs go at full speed whatever the pace.
 */
export const PACES = {
	normal: { label: 'Full speed', steps: null, gapMs: 0 },
	slow: { label: 'Slow: a step a frame', steps: 1, gapMs: 16 },
	one: { label: 'One step at a time', steps: 1, gapMs: 400 }
} as const satisfies Record<string, { label: string; steps: number | null; gapMs: number }>;
export type Pace = keyof typeof PACES;

/** A linear layer the page may watch. */
export interface LayerInfo {
	name: string;
	inDim: number;
	outDim: number;
}

/** A layer's weight matrix (or its update) as it crosses to the page. */
export interface LayerMatrix {
	layer: string;
	/** [rows, cols] = [inDim, outDim], row-major. */
	rows: number;
	cols: number;
	values: Float32Array;
	/** Singular values, descending, computed in the worker. */
	singularValues: Float64Array;
}

/** Events from the worker. */
export type TrainerEvent =
	| {
			type: 'ready';
			backend: BackendName;
			reason: string;
			gpu: GpuProbe;
			timings: Partial<Record<BackendName, number>>;
			/** Milliseconds from the worker's start to a chosen backend. */
			startMs: number;
	  }
	| { type: 'progress'; what: string; loaded: number; total: number }
	| {
			type: 'configured';
			base: string;
			task: string;
			layers: LayerInfo[];
			trainableParams: number;
			totalParams: number;
			ledger: MemoryLedger;
	  }
	| {
			type: 'metrics';
			step: number;
			loss: number;
			meanLoss: number;
			stepsPerSecond: number;
			running: boolean;
			backend: BackendName;
	  }
	| {
			type: 'evaluation';
			step: number;
			running: boolean;
			trainAccuracy: number;
			testAccuracy: number;
			testLoss: number;
	  }
	/** ΔW of the watched layer after `step` steps. */
	| ({ type: 'snapshot'; step: number } & LayerMatrix)
	/** W₀ of a layer. */
	| ({ type: 'base' } & LayerMatrix)
	| {
			type: 'queue-progress';
			id: string;
			/** Position of the run in the queue and the queue's length. */
			index: number;
			total: number;
			step: number;
			steps: number;
			loss: number;
			backend: BackendName;
	  }
	| { type: 'queue-result'; index: number; total: number; result: QueuedResult }
	| { type: 'queue-done'; cancelled: boolean; completed: number }
	| { type: 'ledger'; ledger: MemoryLedger }
	/** Text written by the model after `step` steps. */
	| {
			type: 'sample';
			step: number;
			/** The prompt as the model read it (folded to its vocabulary, at most its last 1,000 characters). */
			prompt: string;
			/** Characters of the reader's prompt the vocabulary has no symbol for, left out. */
			dropped: string[];
			text: string;
			temperature: number;
			seed: number;
			/** Milliseconds the writing took in the worker. */
			ms: number;
	  }
	| {
			type: 'ladder';
			/** Steps done and total over the whole ladder. */
			done: number;
			total: number;
			/** Width of the rung in training; null once the ladder is done. */
			width: number | null;
			running: boolean;
			backend: BackendName;
	  }
	| ({ type: 'rung'; backend: BackendName } & RungResult)
	| { type: 'fallback'; from: BackendName; to: BackendName; message: string }
	| { type: 'error'; kind: 'divergence' | 'load' | 'backend' | 'input'; message: string };

/**
 * Bytes a run holds, by category, as tfjs's engine counts them: each category is the change in
 * `tf.memory().numBytes` (size × bytes per element of every live tensor) while its tensors were
 * made, and falls back by as much when they are disposed.
 */
export interface MemoryLedger {
	/** Frozen tensors: base weights that do not train and a method's constants. */
	frozen: number;
	/** Trainable variables. */
	trainable: number;
	/** Adam's moments and constants. */
	optimizer: number;
	/**
	 * Most bytes alive at once during a measured step beyond those alive before it (activations,
	 * gradients, the update's temporaries): `tf.profile`'s peak of `numBytes` after each kernel.
	 */
	transientPeak: number;
	/** The task's data on the device, with the step's one constant (1 / labels per batch). */
	data: number;
	trainableParams: number;
}

// The scaling ladder (lesson 2): see ladderSpec.ts for its default and checks, worker/ladder.ts
// for the ladder itself.

/** What a ladder trains: one rung per hidden width, all with the same budget. */
export interface LadderSpec {
	/** Hidden widths, one rung each, increasing. */
	widths: number[];
	/** Adam steps per rung. */
	steps: number;
	batchSize: number;
	lr: number;
	seed: number;
}

/** One finished rung. */
export interface RungResult {
	width: number;
	/** Trainable parameters (weights and biases). */
	params: number;
	/** Mean cross-entropy on the whole held-out set after the last step, nats. */
	testLoss: number;
	/** Held-out accuracy in [0, 1]. */
	testAccuracy: number;
	/** Mean training loss over the rung's last chunk of steps, nats. */
	trainLoss: number;
	/** Wall time of the rung, seconds. */
	seconds: number;
}

// Experiment queues: runs trained for a fixed number of steps and then measured (worker/experiments.ts).

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

/**
 * One run of a queue: trained for a fixed number of steps and then measured, so a lesson can fill
 * a grid (method × shift → accuracy), compare adapters of two ranks, or sweep an intrinsic
 * dimension. `spec.maxSteps` is ignored: `steps` says how long it trains. The runner is
 * `worker/experiments.ts`.
 */
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
