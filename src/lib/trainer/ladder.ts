/**
 * A scaling ladder: the same task, the same step budget and the same optimizer for a row of models
 * that differ only in width, each trained from scratch, so that their final held-out losses trace
 * loss against parameter count. The models are one-hidden-layer MLPs over the digits data; the
 * ladder advances in small chunks of steps so a worker can report progress and stop between them.
 * Seeded: the same spec gives the same losses on the same backend, paused or not.
 *
 *   new Ladder(task, spec) ──advance(k)──▶ … rung done (evaluated, its tensors freed) … ──▶ done
 *                                   └── dispose() frees the rung in training
 */
import { createRng } from '$lib/math/rng';
import { mlp } from '$lib/model/mlp';
import { initWeights, sizeOf } from '$lib/model/params';
import type { TaskData } from './task';
import { Trainer } from './trainer';

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

/** The ladder the lesson runs: eight widths from 2 to 256 (160 to 19,210 parameters). */
export const DEFAULT_LADDER: Readonly<LadderSpec> = Object.freeze({
	widths: [2, 4, 8, 16, 32, 64, 128, 256],
	steps: 400,
	batchSize: 64,
	lr: 0.01,
	seed: 1
});

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

/** Throws a RangeError naming the first bad field of a ladder spec. */
export function checkLadder(spec: LadderSpec): void {
	const { widths, steps, batchSize, lr, seed } = spec;
	if (!Array.isArray(widths) || widths.length < 3)
		throw new RangeError('a ladder needs at least 3 widths');
	widths.forEach((w, i) => {
		if (!Number.isInteger(w) || w < 1 || w > 4096)
			throw new RangeError(`widths[${i}] must be an integer from 1 to 4096, got ${w}`);
		if (i > 0 && w <= widths[i - 1]) throw new RangeError('widths must increase');
	});
	if (!Number.isInteger(steps) || steps < 1 || steps > 100_000)
		throw new RangeError(`steps must be an integer from 1 to 100000, got ${steps}`);
	if (!Number.isInteger(batchSize) || batchSize < 1)
		throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
	if (!(lr > 0) || !Number.isFinite(lr)) throw new RangeError(`lr must be > 0, got ${lr}`);
	if (!Number.isInteger(seed) || seed < 0)
		throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
}

/**
 * Parameters of a rung: an MLP in → width → classes has (in + 1)·width + (width + 1)·classes.
 * @param inWidth input features (64 for the digits)
 * @param classes output classes
 */
export function rungParams(width: number, inWidth: number, classes: number): number {
	return mlp([inWidth, width, classes]).params.reduce((n, p) => n + sizeOf(p.shape), 0);
}

/** A ladder in progress. Owns the trainer of the rung being trained; call `dispose()`. */
export class Ladder {
	/** Finished rungs, in order. */
	readonly results: RungResult[] = [];
	private trainer?: Trainer;
	private rungSeconds = 0;
	private lastTrainLoss = NaN;

	constructor(
		readonly task: TaskData,
		readonly spec: LadderSpec
	) {
		checkLadder(spec);
	}

	/** Whether every rung has finished. */
	get done(): boolean {
		return this.results.length === this.spec.widths.length;
	}

	/** Steps taken over the whole ladder, finished rungs included. */
	get stepsDone(): number {
		return this.results.length * this.spec.steps + (this.trainer?.step ?? 0);
	}

	/** Steps of the whole ladder. */
	get totalSteps(): number {
		return this.spec.widths.length * this.spec.steps;
	}

	/** Width of the rung in training (or next to train); undefined when done. */
	get width(): number | undefined {
		return this.spec.widths[this.results.length];
	}

	/**
	 * Train the current rung for up to `steps` steps (never past its budget). When the rung
	 * reaches its budget it is evaluated, its tensors are freed, and its result returned.
	 */
	async advance(steps: number): Promise<RungResult | undefined> {
		const width = this.width;
		if (width === undefined) return undefined;
		const { task, spec } = this;
		if (!this.trainer) {
			const model = mlp([task.inWidth, width, task.classes]);
			const rng = createRng(spec.seed).fork(`rung:${width}`);
			this.trainer = new Trainer({
				model,
				base: initWeights(model.params, rng),
				tuning: { method: 'full' },
				task,
				lr: spec.lr,
				batchSize: spec.batchSize,
				seed: spec.seed
			});
			this.rungSeconds = 0;
		}
		const t = this.trainer;
		const n = Math.max(1, Math.min(Math.floor(steps), spec.steps - t.step));
		const t0 = performance.now();
		const report = await t.run(n);
		this.lastTrainLoss = report.meanLoss;
		if (t.step < spec.steps) {
			this.rungSeconds += (performance.now() - t0) / 1000;
			return undefined;
		}
		const e = await t.evaluate();
		this.rungSeconds += (performance.now() - t0) / 1000;
		const result: RungResult = {
			width,
			params: t.parameters.trainableCount(),
			testLoss: e.testLoss,
			testAccuracy: e.testAccuracy,
			trainLoss: this.lastTrainLoss,
			seconds: this.rungSeconds
		};
		t.dispose();
		this.trainer = undefined;
		this.results.push(result);
		return result;
	}

	/** Free the rung in training; finished results stay readable. */
	dispose(): void {
		this.trainer?.dispose();
		this.trainer = undefined;
	}
}
