/**
 * The character transformer against scripts/fixtures/transformer_step.py's PyTorch record
 * (tests/fixtures/transformer_step.json), on whatever backend is active: the base model's logits
 * and loss, and for full fine-tuning and LoRA (q and v of every block) three Adam steps, checking
 * every step's loss, every trainable gradient at step 1, every final value and the loss after the
 * last step. transformerTorch.test.ts runs it on cpu and wasm in Node (by the tape and by the
 * hand-written pass); the kernel check page (tests/e2e/kernels/torch.ts) runs the hand-written
 * pass on every backend in Chromium.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '$lib/math/rng';
import { Adam, assignValues } from '$lib/model/adam';
import { crossEntropy } from '$lib/model/losses';
import { prepare } from '$lib/model/methods';
import type { ModelDef } from '$lib/model/model';
import { transformer, type TransformerConfig } from '$lib/model/transformer';
import type { Tuned, TuningConfig } from '$lib/model/tuned';
import {
	assert,
	fixtureWeights,
	handGradients,
	type Check,
	type TorchFixture
} from './torchFixture';

export interface TransformerFixture extends TorchFixture {
	config: TransformerConfig;
	t: number;
	zeroGradient: string[];
	ids: number[];
	targets: number[];
	base: { loss: number; logits: number[] };
}

/*
 * Tolerances, relative to the float64 reference: |ours − ref| ≤ tol·(1 + |ref|) for every
 * element. float32 carries about 7 digits; the worst errors seen on cpu and wasm by the tape were
 * 4e-7 (logits), 1e-7 (losses), 1e-7 (gradients) and 1e-6 (values after three Adam steps, which
 * divide each gradient by its own size and so enlarge its rounding): the tolerances leave 10 to
 * 100 times that, far below what a wrong term would move.
 */
export const LOGIT_TOL = 1e-5;
export const LOSS_TOL = 1e-5;
export const GRAD_TOL = 1e-5;
export const VALUE_TOL = 1e-4;
/** The key bias's exact gradient is zero; float32 leaves rounding noise well below this. */
export const ZERO_GRAD_TOL = 1e-6;

export type Path = 'tape' | 'hand';

/** The fixture's model and its batch; `dispose` frees the batch's tensors. */
export function transformerReference(fx: TransformerFixture) {
	const { batch, t, adam } = fx;
	const vocab = fx.config.vocab;
	const model: ModelDef = transformer(fx.config);
	const weights = fixtureWeights(fx.weights);

	/** ids int32 [batch, t], targets int32 [batch·t] and their one-hot [batch·t, vocab]; caller owns. */
	function batchTensors() {
		const ids = tf.tensor2d(fx.ids, [batch, t], 'int32');
		const targets = tf.tensor1d(fx.targets, 'int32');
		const oneHot = tf.tidy(() => tf.cast(tf.oneHot(targets, vocab), 'float32') as tf.Tensor2D);
		const invBatch = tf.scalar(1 / (batch * t));
		return {
			ids,
			targets,
			oneHot,
			invBatch,
			dispose: () => tf.dispose([ids, targets, oneHot, invBatch])
		};
	}
	type Batch = ReturnType<typeof batchTensors>;

	/** Loss and gradients in `tuned.trainable`'s order by the tape or by `model.gradients`; caller owns. */
	function lossAndGrads(tuned: Tuned, path: Path, b: Batch) {
		if (path === 'tape') {
			const vars = tuned.trainable.map((v) => v.variable);
			const { value, grads } = tf.variableGrads(
				() => tf.tidy(() => crossEntropy(model.forward(tuned, b.ids), b.targets)),
				vars
			);
			return { loss: value, grads: vars.map((v) => grads[v.name]) };
		}
		return handGradients(model, tuned, b.ids, b.oneHot, b.invBatch);
	}

	/** The method prepared from the fixture's weights (LoRA from the fixture's nonzero start); caller owns. */
	function prepared(method: 'full' | 'lora'): Tuned {
		if (method === 'full') return prepare(model, weights, { method: 'full' }, createRng(0));
		const ref = fx.methods.lora;
		const config: TuningConfig = {
			method: 'lora',
			rank: ref.rank,
			alpha: ref.alpha,
			targets: ref.targets
		};
		const tuned = prepare(model, weights, config, createRng(0));
		for (const { name, variable } of tuned.trainable) {
			assignValues(variable, Float32Array.from(ref.start[name]));
		}
		return tuned;
	}

	/** The base model's logits and loss on the fixture's batch. */
	async function base(check: Check) {
		const tuned = prepared('full');
		const b = batchTensors();
		try {
			const [logits, loss] = tf.tidy(() => {
				const z = model.forward(tuned, b.ids);
				return [z, crossEntropy(z, b.targets)];
			});
			assert(logits.shape.join() === [batch * t, vocab].join(), `logits' shape ${logits.shape}`);
			check('logits', 'logits', await logits.data(), fx.base.logits, LOGIT_TOL);
			check('loss', 'loss', await loss.data(), [fx.base.loss], LOSS_TOL);
			tf.dispose([logits, loss]);
		} finally {
			b.dispose();
			tuned.dispose();
		}
	}

	/**
	 * Three Adam steps on the fixture's batch, checked against PyTorch at every step. Reads are
	 * awaited (`data`), never `dataSync`: WebGPU in Chromium fails a synchronous read.
	 */
	async function steps(method: 'full' | 'lora', path: Path, check: Check) {
		const ref = fx.methods[method];
		const tuned = prepared(method);
		const opt = new Adam(tuned.trainable, adam.lr, adam);
		const b = batchTensors();
		try {
			const names = tuned.trainable.map((v) => v.name);
			assert(names.join() === ref.trainable.join(), `trainable ${names} ≠ ${ref.trainable}`);
			for (let step = 0; step < ref.losses.length; step++) {
				const { loss, grads } = lossAndGrads(tuned, path, b);
				check('loss', `loss at step ${step + 1}`, await loss.data(), [ref.losses[step]], LOSS_TOL);
				if (step === 0) {
					for (const [i, { name }] of tuned.trainable.entries()) {
						const got = await grads[i].data();
						if (fx.zeroGradient.includes(name)) {
							const zeros = ref.grads[name].map(() => 0);
							check('zero gradient', `∂L/∂${name}`, got, zeros, ZERO_GRAD_TOL);
						} else check('gradient', `∂L/∂${name}`, got, ref.grads[name], GRAD_TOL);
					}
				}
				opt.apply(grads);
				tf.dispose([loss, ...grads]);
			}
			for (const { name, variable } of tuned.trainable) {
				const got = await variable.data();
				if (fx.zeroGradient.includes(name)) {
					// Adam divides by √v + ε, so a zero gradient's float32 rounding noise becomes steps
					// of up to lr: allow three of them. That the loss is right shows the value does not
					// matter.
					const tol = VALUE_TOL + ref.losses.length * adam.lr;
					check('value (zero gradient)', name, got, ref.end[name], tol);
				} else check('value', name, got, ref.end[name], VALUE_TOL);
			}
			const after = tf.tidy(() => crossEntropy(model.forward(tuned, b.ids), b.targets));
			check('loss', 'loss after the last step', await after.data(), [ref.lossAfter], LOSS_TOL);
			after.dispose();
		} finally {
			b.dispose();
			opt.dispose();
			tuned.dispose();
		}
	}

	return { model, prepared, base, steps };
}
