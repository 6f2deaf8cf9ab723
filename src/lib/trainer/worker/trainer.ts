/**
 * The training loop, free of workers and UI: it fine-tunes a model's base weights on a task with
 * one method and Adam, on whichever tfjs backend is active. Steps are queued without reading
 * anything back; only `run` reads the last loss once at the end, so a GPU backend is never
 * stalled every step. It measures what it holds (the memory ledger), reads weight updates back
 * as plain arrays for spectra and heatmaps, and stops on divergence with an explanation.
 *
 *   new Trainer(config) ──run(n)──▶ metrics ──evaluate()──▶ accuracies
 *          │                          │
 *          └──reset()  (same seed: the same loss curve)      dispose() frees every tensor
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng, type Rng } from '$lib/math/rng';
import { Adam, assignValues, type AdamState } from '$lib/model/adam';
import { correctCount, crossEntropy } from '$lib/model/losses';
import { gatherRows } from '$lib/model/kernels/linalg';
import { prepare } from '$lib/model/methods';
import type { ModelDef } from '$lib/model/model';
import { checkWeights, type Weights } from '$lib/model/params';
import type { Tuned, TuningConfig } from '$lib/model/tuned';
import type { MemoryLedger } from '../protocol';
import { checkTask, type Split, type TaskData } from './tasks';

/** Everything that defines a fine-tuning run. */
export interface TrainerConfig {
	model: ModelDef;
	/** Base (pretrained) weights; copied, the caller keeps its arrays. */
	base: Weights;
	tuning: TuningConfig;
	task: TaskData;
	lr: number;
	batchSize: number;
	seed: number;
	/**
	 * Use the model's hand-written backward pass when it has one (default). False forces tfjs's
	 * gradient tape, the reference the hand-written pass is tested against.
	 */
	handGradients?: boolean;
}

/** What a run of steps reports. */
export interface StepReport {
	step: number;
	/** Loss of the last step, in nats. */
	loss: number;
	/** Mean loss over the steps of this run. */
	meanLoss: number;
	/** Steps per second over this run. */
	stepsPerSecond: number;
}

/** Accuracy on a sample of the training set and on the whole held-out set, in [0, 1]. */
export interface EvalReport {
	trainAccuracy: number;
	testAccuracy: number;
	testLoss: number;
}

/** A run's trainable values and optimizer state as plain data. */
export interface Checkpoint {
	step: number;
	trainable: Float32Array[];
	adam: AdamState;
}

/** Thrown when the loss stops being a finite number or explodes. */
export class DivergenceError extends Error {
	constructor(
		readonly step: number,
		readonly loss: number
	) {
		super(
			`Training diverged at step ${step}: the loss became ${Number.isNaN(loss) ? 'NaN' : loss.toPrecision(3)}. ` +
				'The learning rate is probably too high: each update overshoots, the weights grow, and the ' +
				'numbers overflow. Lower the learning rate and reset.'
		);
		this.name = 'DivergenceError';
	}
}

/**
 * A loss above this many nats counts as exploded: it means a probability of e^-100 for the right
 * answer, while guessing uniformly over even the largest vocabulary here costs under 4 nats.
 */
export const EXPLODED_LOSS = 100;

/** Training examples an evaluation scores: at most 512, and at most 8,192 labels (positions). */
const TRAIN_EVAL_SAMPLE = 512;
const TRAIN_EVAL_LABELS = 8192;

interface DeviceSplit {
	x: tf.Tensor2D;
	y: tf.Tensor2D;
	n: number;
}

/** Most labels one evaluation slice puts through the model at once (rows × positions). */
export const EVAL_SLICE_ROWS = 4096;

/** One fine-tuning run. Owns its tensors; call `dispose()` when done. */
export class Trainer {
	private tuned!: Tuned;
	private adam!: Adam;
	private rng!: Rng;
	private order: Int32Array = new Int32Array(0);
	private cursor = 0;
	private stepCount = 0;
	private readonly train: DeviceSplit;
	private readonly test: DeviceSplit;
	/**
	 * For models with a hand-written backward pass: one-hot training targets (when each row has
	 * one label) and 1/(labels a batch), the mean's divisor.
	 */
	private readonly hand?: { targets?: tf.Tensor2D; invBatch: tf.Scalar };
	private transientPeak = 0;
	/** Bytes the data and the step's constant added to `tf.memory().numBytes` when uploaded. */
	private readonly dataBytes: number;
	private disposed = false;

	constructor(readonly config: TrainerConfig) {
		checkWeights(config.model.params, config.base);
		checkTask(config.task);
		if (!(config.lr > 0) || !Number.isFinite(config.lr))
			throw new RangeError('learning rate must be > 0');
		if (!Number.isInteger(config.batchSize) || config.batchSize < 1) {
			throw new RangeError('batch size must be a positive integer');
		}
		const bytesBefore = tf.memory().numBytes;
		this.train = this.upload(config.task.train);
		this.test = this.upload(config.task.test);
		if (config.model.gradients && config.handGradients !== false) {
			const { classes, outWidth } = config.task;
			// One label a row (the MLP): one-hot targets made once. A label per position (the
			// transformer): made per step from the batch's labels, as the whole set's would be
			// rows × positions × vocabulary floats.
			this.hand = {
				targets:
					outWidth === 1
						? tf.tidy(
								() =>
									tf.cast(
										tf.oneHot(tf.reshape(this.train.y, [-1]) as tf.Tensor1D, classes),
										'float32'
									) as tf.Tensor2D
							)
						: undefined,
				invBatch: tf.scalar(1 / (Math.min(config.batchSize, this.train.n) * outWidth))
			};
		}
		this.dataBytes = tf.memory().numBytes - bytesBefore;
		this.start();
	}

	private upload(s: Split): DeviceSplit {
		const { inWidth, outWidth } = this.config.task;
		const dtype = this.config.model.inputDtype;
		return {
			x: tf.tensor2d(s.x, [s.n, inWidth], dtype),
			y: tf.tensor2d(s.y, [s.n, outWidth], 'int32'),
			n: s.n
		};
	}

	private start(): void {
		const { model, base, tuning, seed, lr } = this.config;
		this.rng = createRng(seed);
		this.tuned = prepare(model, base, tuning, this.rng.fork('init'));
		this.adam = new Adam(this.tuned.trainable, lr);
		this.order = new Int32Array(0);
		this.cursor = 0;
		this.stepCount = 0;
	}

	/** Steps taken since the start or the last reset. */
	get step(): number {
		return this.stepCount;
	}

	/** The prepared parameters (for snapshots and tests). */
	get parameters(): Tuned {
		return this.tuned;
	}

	/** The learning rate; changing it takes effect at the next step. */
	get lr(): number {
		return this.adam.lr;
	}
	set lr(value: number) {
		if (!(value > 0) || !Number.isFinite(value)) throw new RangeError('learning rate must be > 0');
		this.adam.lr = value;
	}

	/** Indices of the next minibatch: epochs over a seeded shuffle of the training set. */
	private nextBatch(): Int32Array {
		const { batchSize } = this.config;
		const n = this.train.n;
		const out = new Int32Array(Math.min(batchSize, n));
		for (let i = 0; i < out.length; i++) {
			if (this.cursor >= this.order.length) {
				this.order = this.rng.fork(`epoch:${this.stepCount}:${i}`).permutation(n);
				this.cursor = 0;
			}
			out[i] = this.order[this.cursor++];
		}
		return out;
	}

	/** Loss on rows `idx` of a split; a scalar the caller owns. */
	private lossOn(split: DeviceSplit, idx: tf.Tensor1D): tf.Scalar {
		return tf.tidy(() => {
			const x = tf.gather(split.x, idx);
			const y = tf.reshape(tf.gather(split.y, idx), [-1]) as tf.Tensor1D;
			return crossEntropy(this.config.model.forward(this.tuned, x), y);
		});
	}

	/** Queue one training step; returns its loss as a scalar the caller owns. */
	private stepOnce(): tf.Scalar {
		const idx = tf.tensor1d(this.nextBatch(), 'int32');
		try {
			const [loss, ...grads] = this.hand ? this.handGrads(idx) : this.tapeGrads(idx);
			this.adam.apply(grads);
			tf.dispose(grads);
			this.stepCount++;
			return loss as tf.Scalar;
		} finally {
			idx.dispose();
		}
	}

	/** Loss and gradients (aligned with the trainable variables) by tfjs's gradient tape. */
	private tapeGrads(idx: tf.Tensor1D): tf.Tensor[] {
		const vars = this.tuned.trainable.map((t) => t.variable);
		const { value, grads } = tf.variableGrads(() => this.lossOn(this.train, idx), vars);
		return [value, ...vars.map((v) => grads[v.name])];
	}

	/** Loss and gradients by the model's hand-written backward pass (no tape). */
	private handGrads(idx: tf.Tensor1D): tf.Tensor[] {
		const { targets, invBatch } = this.hand!;
		const { model } = this.config;
		return tf.tidy(() => {
			const x = gatherRows(this.train.x, idx);
			const batchTargets = targets
				? gatherRows(targets, idx)
				: // tfjs's WebAssembly OneHot writes integer bits into a float32 output: cast instead.
					(tf.cast(
						tf.oneHot(
							tf.reshape(gatherRows(this.train.y, idx), [-1]) as tf.Tensor1D,
							model.classes
						),
						'float32'
					) as tf.Tensor2D);
			const { loss, grads } = model.gradients!(this.tuned, x, batchTargets, invBatch);
			return [
				loss,
				...this.tuned.trainable.map(({ name }) => {
					const g = grads.get(name);
					if (!g) throw new Error(`${model.id}: no gradient for ${name}`);
					return g;
				})
			];
		});
	}

	/**
	 * Take `steps` steps. The losses stay on the device; their running sum and maximum are read
	 * back once at the end. Throws `DivergenceError` when any loss in the run was NaN, infinite
	 * or above `EXPLODED_LOSS`; the run must then be reset.
	 */
	async run(steps: number): Promise<StepReport> {
		if (this.disposed) throw new Error('trainer is disposed');
		if (!Number.isInteger(steps) || steps < 1) throw new RangeError('steps must be ≥ 1');
		const t0 = performance.now();
		// Each step's loss stays on the device until the end of the run: one read-back in all.
		const losses: tf.Scalar[] = [];
		let values: Float32Array;
		try {
			for (let s = 0; s < steps; s++) losses.push(this.stepOnce());
			const packed = tf.tidy(() => {
				const all = tf.stack(losses);
				return tf.stack([losses[losses.length - 1], tf.sum(all), tf.max(all)]);
			});
			try {
				values = (await packed.data()) as Float32Array;
			} finally {
				packed.dispose();
			}
		} finally {
			tf.dispose(losses);
		}
		const [loss, total, max] = values;
		const seconds = (performance.now() - t0) / 1000;
		if (!Number.isFinite(total) || !(max <= EXPLODED_LOSS)) {
			throw new DivergenceError(this.stepCount, Number.isFinite(total) ? max : total);
		}
		return {
			step: this.stepCount,
			loss,
			meanLoss: total / steps,
			stepsPerSecond: steps / Math.max(seconds, 1e-6)
		};
	}

	/**
	 * Loss and accuracy on a split (or its first `limit` rows), read back asynchronously. Rows go
	 * through the model in slices of at most `EVAL_SLICE_ROWS`, so that a language model's held-out
	 * set (thousands of windows) never needs all its activations at once.
	 */
	private async score(
		split: DeviceSplit,
		limit: number
	): Promise<{ accuracy: number; loss: number }> {
		const n = Math.min(split.n, limit);
		const { model, task } = this.config;
		const slice = Math.max(1, Math.floor(EVAL_SLICE_ROWS / task.outWidth));
		// Each slice in its own tidy, so that its activations are freed before the next.
		const parts: tf.Tensor[] = [];
		for (let start = 0; start < n; start += slice) {
			const rows = Math.min(slice, n - start);
			parts.push(
				tf.tidy(() => {
					const x = tf.slice(split.x, [start, 0], [rows, -1]);
					const y = tf.reshape(tf.slice(split.y, [start, 0], [rows, -1]), [-1]) as tf.Tensor1D;
					const logits = model.infer ? model.infer(this.tuned, x) : model.forward(this.tuned, x);
					// The loss is a mean over this slice's labels: weight it by their number.
					return tf.stack([
						tf.cast(correctCount(logits, y), 'float32'),
						tf.mul(crossEntropy(logits, y), rows * task.outWidth)
					]);
				})
			);
		}
		const sums = tf.tidy(() => tf.sum(tf.stack(parts), 0));
		tf.dispose(parts);
		try {
			const [correct, lossSum] = await sums.data();
			const labels = n * task.outWidth;
			return { accuracy: correct / labels, loss: lossSum / labels };
		} finally {
			sums.dispose();
		}
	}

	/** Accuracy on a sample of the training examples (see `TRAIN_EVAL_SAMPLE`) and on the whole held-out set. */
	async evaluate(): Promise<EvalReport> {
		const [train, test] = await Promise.all([
			this.score(
				this.train,
				Math.min(
					TRAIN_EVAL_SAMPLE,
					Math.max(1, Math.floor(TRAIN_EVAL_LABELS / this.config.task.outWidth))
				)
			),
			this.score(this.test, this.test.n)
		]);
		return { trainAccuracy: train.accuracy, testAccuracy: test.accuracy, testLoss: test.loss };
	}

	/** Held-out loss and accuracy alone (cheaper than `evaluate`). */
	heldOut(): Promise<{ accuracy: number; loss: number }> {
		return this.score(this.test, this.test.n);
	}

	/**
	 * Held-out accuracy and loss of the current weights on another task with the same inputs and
	 * classes (the base's original task, to measure forgetting). Its held-out split is uploaded
	 * for the call and freed after it.
	 */
	async evaluateOn(other: TaskData): Promise<{ accuracy: number; loss: number }> {
		checkTask(other);
		const { task } = this.config;
		if (other.inWidth !== task.inWidth || other.outWidth !== task.outWidth)
			throw new RangeError(`${other.name} does not have the inputs of ${task.name}`);
		if (other.classes !== task.classes)
			throw new RangeError(
				`${other.name} has ${other.classes} classes, the model ${task.classes}: it cannot be scored there`
			);
		const split = this.upload(other.test);
		try {
			return await this.score(split, split.n);
		} finally {
			tf.dispose([split.x, split.y]);
		}
	}

	/**
	 * Measure the transient peak of one training step with `tf.profile`: the most bytes alive
	 * at once during the step beyond what was alive before it. Takes a real step.
	 */
	async measureStep(): Promise<number> {
		let loss: tf.Scalar | undefined;
		const before = tf.memory().numBytes;
		const info = await tf.profile(() => {
			loss = this.stepOnce();
			return loss;
		});
		loss?.dispose();
		this.transientPeak = Math.max(this.transientPeak, info.peakBytes - before);
		return this.transientPeak;
	}

	/**
	 * The memory ledger: bytes by category, each measured by tfjs's engine as its tensors were
	 * made (see `MemoryLedger`); the transient peak is 0 until `measureStep` has run.
	 */
	ledger(): MemoryLedger {
		return {
			frozen: this.tuned.frozenBytes(),
			trainable: this.tuned.trainableBytes(),
			optimizer: this.adam.bytes(),
			transientPeak: this.transientPeak,
			data: this.dataBytes,
			trainableParams: this.tuned.trainableCount()
		};
	}

	/** ΔW of a linear layer, [inDim, outDim] row-major; caller owns the array. */
	deltaW(linear: string): Promise<Float32Array> {
		return this.tuned.deltaW(linear);
	}

	/**
	 * The trainable values, optimizer state and step count as plain data (caller owns), to carry
	 * a run to another backend when this one fails.
	 */
	async checkpoint(): Promise<Checkpoint> {
		const trainable = await Promise.all(
			this.tuned.trainable.map(async (t) => (await t.variable.data<'float32'>()).slice())
		);
		return { step: this.stepCount, trainable, adam: await this.adam.exportState() };
	}

	/** Continue from a checkpoint of a run with the same configuration. */
	restore(cp: Checkpoint): void {
		if (cp.trainable.length !== this.tuned.trainable.length) {
			throw new Error('checkpoint does not match this run');
		}
		this.tuned.trainable.forEach((t, i) => assignValues(t.variable, cp.trainable[i]));
		this.adam.importState(cp.adam);
		this.stepCount = cp.step;
	}

	/** Start over from the base weights with the same seed: the same loss curve again. */
	reset(): void {
		this.tuned.dispose();
		this.adam.dispose();
		this.start();
	}

	/** Free every tensor. */
	dispose(): void {
		if (this.disposed) return;
		this.disposed = true;
		this.tuned.dispose();
		this.adam.dispose();
		tf.dispose([this.train.x, this.train.y, this.test.x, this.test.y]);
		if (this.hand)
			tf.dispose([this.hand.invBatch, ...(this.hand.targets ? [this.hand.targets] : [])]);
	}
}
