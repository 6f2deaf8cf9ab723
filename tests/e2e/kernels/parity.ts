/**
 * Training parity across backends: the same seeded runs, an MLP and a small transformer, full
 * fine-tuning with Adam for 100 steps through the trainer's hand-written step, each step's loss
 * recorded. tests/e2e/kernels.spec.ts runs this on every backend and compares the curves: our
 * kernels differ per backend (WGSL, GLSL, SIMD, JavaScript), so only the loss curves show that
 * they train the same model.
 */
import { createRng } from '$lib/math/rng';
import { mlp } from '$lib/model/mlp';
import { initWeights } from '$lib/model/params';
import { transformer } from '$lib/model/transformer';
import type { ModelDef } from '$lib/model/model';
import { trainSplitTask, type TaskData } from '$lib/trainer/worker/tasks';
import { Trainer } from '$lib/trainer/worker/trainer';

/** Steps each run takes. */
export const PARITY_STEPS = 100;

async function curve(model: ModelDef, task: TaskData, batchSize: number, lr: number) {
	const trainer = new Trainer({
		model,
		base: initWeights(model.params, createRng(3)),
		tuning: { method: 'full' },
		task,
		lr,
		batchSize,
		seed: 4
	});
	try {
		const losses: number[] = [];
		for (let s = 0; s < PARITY_STEPS; s++) losses.push((await trainer.run(1)).loss);
		return losses;
	} finally {
		trainer.dispose();
	}
}

/** Each step's training loss of both runs on the active backend. */
export async function parityCurves(): Promise<{ mlp: number[]; transformer: number[] }> {
	const rng = createRng(9);
	const n = 128;
	// Labels a function of the inputs, so that the loss falls and the curve has a shape to match.
	const x = Float32Array.from({ length: n * 16 }, () => rng.normal());
	const y = Int32Array.from(
		{ length: n },
		(_, i) => (x[i * 16] > 0 ? 1 : 0) + (x[i * 16 + 1] > 0 ? 2 : 0)
	);
	const digits = trainSplitTask('parity', { inWidth: 16, outWidth: 1, classes: 4 }, { x, y, n });
	const t = 8;
	const ids = Int32Array.from({ length: 32 * t }, () => rng.int(11));
	const next = Int32Array.from(ids, (v) => (v * 3 + 1) % 11);
	const text = trainSplitTask(
		'parity',
		{ inWidth: t, outWidth: t, classes: 11 },
		{ x: ids, y: next, n: 32 }
	);
	return {
		mlp: await curve(mlp([16, 32, 32, 4]), digits, 32, 3e-3),
		transformer: await curve(
			transformer({ vocab: 11, context: t, dModel: 16, heads: 4, layers: 2 }),
			text,
			8,
			3e-3
		)
	};
}
