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
import { initWeights } from '$lib/model/params';
import { checkLadder } from '../ladderSpec';
import type { LadderSpec, RungResult } from '../protocol';
import type { TaskData } from './tasks';
import { Trainer } from './trainer';

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
