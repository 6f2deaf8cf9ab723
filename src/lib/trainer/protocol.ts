/**
 * The typed messages between a widget (main thread) and its trainer worker. Requests flow in,
 * events flow out; only numbers, strings and typed arrays cross, never tensors. ΔW snapshots
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
 *        ── cancel ──▶        (stops the queue; see experimentSpec.ts)
 *        ── generate ──▶      ── sample (text written by the current weights)
 *        ── pause | reset | backend | dispose
 *                             ── fallback | error (divergence, load, backend)
 */
import type { TextCorpusId } from '$lib/model/data/text';
import type { MethodId } from '$lib/model/tuned';
import type { BackendChoice, BackendName, GpuProbe, RememberedChoice } from './backends';
import type { QueuedResult, QueuedRun } from './experimentSpec';
import type { LadderSpec, RungResult } from './ladderSpec';
import type { MemoryLedger } from './trainer';

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

/** Everything a run needs; plain data, kept in the URL by widgets. */
export interface RunSpec {
	task: TaskSpec;
	method: MethodId;
	/** LoRA rank and α. */
	rank?: number;
	alpha?: number;
	/** LoRA target layers; default all but the head. */
	targets?: string[];
	lr: number;
	batchSize: number;
	seed: number;
	/** Linear layer whose ΔW snapshots are sent; default the first. */
	watch?: string;
	/** Pause by itself after this many steps (0 or absent: run until paused). */
	maxSteps?: number;
	/** Method `subspace` (intrinsic dimension): θ = θ₀ + P·z with z of this many dimensions. */
	subspaceDim?: number;
	/** Start from the shipped base (default) or from a seeded random initialisation. */
	init?: 'base' | 'scratch';
}

/** Requests from the page. */
export type Request =
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
	| { type: 'generate'; prompt: string; length: number; temperature: number; seed: number };

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
export type Event =
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
