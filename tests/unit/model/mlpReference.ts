/**
 * The MLP's hand-written training step against scripts/fixtures/mlp_step.py's PyTorch record
 * (tests/fixtures/mlp_step.json), for every fine-tuning method, on whatever backend is active
 * with the kernels registered there: three Adam steps through `model.gradients` (no tape),
 * checking every step's loss, every trainable gradient at step 1, every final value (and for the
 * subspace θ₀ + P·z as the method exports it) and the loss after the last step. mlpTorch.test.ts
 * runs it on cpu and wasm in Node; the kernel check page (tests/e2e/kernels/torch.ts) on every
 * backend in Chromium. Reads are awaited (`data`), never `dataSync`: WebGPU in Chromium fails a
 * synchronous read.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '$lib/math/rng';
import { Adam, assignValues } from '$lib/model/adam';
import { crossEntropy } from '$lib/model/losses';
import { prepare, SubspaceTuned } from '$lib/model/methods';
import { mlp } from '$lib/model/mlp';
import type { MethodId, Tuned, TuningConfig } from '$lib/model/tuned';
import {
	assert,
	fixtureWeights,
	handGradients,
	type Check,
	type MethodRef,
	type TorchFixture
} from './torchFixture';

export interface MlpFixture extends TorchFixture {
	sizes: number[];
	x: number[];
	labels: number[];
	methods: TorchFixture['methods'] & {
		head: MethodRef;
		bitfit: MethodRef;
		subspace: MethodRef & {
			dim: number;
			s: number;
			seed: number;
			rowCol: number[];
			rowVal: number[];
			theta: Record<string, number[]>;
		};
	};
}

export const METHODS: MethodId[] = ['full', 'lora', 'head', 'bitfit', 'subspace'];

/*
 * Tolerances, relative to the float64 reference: |ours − ref| ≤ tol·(1 + |ref|) for every
 * element. float32 carries about 7 digits; the worst errors seen were 7e-8 on cpu (losses,
 * gradients and values after three Adam steps alike), and the same on wasm with its Adam kernel's
 * JavaScript loop; a SIMD Adam that rounds 1 − β₂ to float32 lengthens every step by 7e-6 and
 * gave 4e-7 (losses) and 2e-7 (values). The tolerances leave 25 times that or more, far below
 * what a wrong term would move (one Adam step moves a value by up to lr = 1e-2). The fixture
 * keeps every pre-activation at least 4e-4 from ReLU's kink and every nonzero gradient above
 * 1e-5, so that float32 takes float64's branches and Adam's signs.
 */
export const LOSS_TOL = 1e-5;
export const GRAD_TOL = 1e-5;
export const VALUE_TOL = 1e-4;

/** The fixture's model, batch and methods. */
export function mlpReference(fx: MlpFixture) {
	const { batch, adam, sizes } = fx;
	const classes = sizes[sizes.length - 1];
	const model = mlp(sizes);
	const weights = fixtureWeights(fx.weights);
	/** The trainer prepares a run's method with createRng(seed).fork('init'); the fixture's P too. */
	const seed = fx.methods.subspace.seed;

	function config(method: MethodId): TuningConfig {
		if (method === 'lora') {
			// No targets: LoRA's default, every linear layer but the head.
			return { method, rank: fx.methods.lora.rank, alpha: fx.methods.lora.alpha };
		}
		if (method === 'subspace') return { method, dim: fx.methods.subspace.dim };
		return { method };
	}

	/** LoRA's B starts at zero in the repo; the fixture's is nonzero, so that A's gradient is too. */
	function setStart(method: MethodId, tuned: Tuned) {
		if (method !== 'lora') return;
		for (const { name, variable } of tuned.trainable) {
			assignValues(variable, Float32Array.from(fx.methods.lora.start[name]));
		}
	}

	/** The method prepared as the trainer would at the fixture's seed; caller owns. */
	function prepared(method: MethodId): Tuned {
		const tuned = prepare(model, weights, config(method), createRng(seed).fork('init'));
		setStart(method, tuned);
		return tuned;
	}

	/** x [batch, in], labels int32, one-hot float targets and 1/batch; caller owns. */
	function batchTensors() {
		const x = tf.tensor2d(fx.x, [batch, sizes[0]]);
		const labels = tf.tensor1d(fx.labels, 'int32');
		// tfjs's WebAssembly OneHot writes integer bits into a float32 output: cast instead.
		const oneHot = tf.tidy(() => tf.cast(tf.oneHot(labels, classes), 'float32') as tf.Tensor2D);
		const invBatch = tf.scalar(1 / batch);
		return {
			x,
			labels,
			oneHot,
			invBatch,
			dispose: () => tf.dispose([x, labels, oneHot, invBatch])
		};
	}

	/** Every trainable's final value against the reference's. */
	async function compareEnd(method: MethodId, tuned: Tuned, check: Check) {
		const ref = fx.methods[method];
		for (const { name, variable } of tuned.trainable) {
			check('value', `value ${method} ${name}`, await variable.data(), ref.end[name], VALUE_TOL);
		}
	}

	/** The base model's loss on the fixture's batch. */
	async function base(check: Check) {
		const tuned = prepared('full');
		const b = batchTensors();
		const loss = tf.tidy(() => crossEntropy(model.forward(tuned, b.x), b.labels));
		check('loss', 'loss base', await loss.data(), [fx.base.loss], LOSS_TOL);
		tf.dispose([loss]);
		b.dispose();
		tuned.dispose();
	}

	/** Three Adam steps by the hand-written backward pass, checked against PyTorch at every step. */
	async function steps(method: MethodId, check: Check) {
		const ref = fx.methods[method];
		const tuned = prepared(method);
		const opt = new Adam(tuned.trainable, adam.lr, adam);
		const b = batchTensors();
		try {
			const names = tuned.trainable.map((v) => v.name);
			assert(names.join() === ref.trainable.join(), `trainable ${names} ≠ ${ref.trainable}`);
			if (method === 'subspace') {
				const sub = fx.methods.subspace;
				const { D, d, s } = (tuned as SubspaceTuned).projection;
				const want = { D: sub.rowCol.length / sub.s, d: sub.dim, s: sub.s };
				assert(
					D === want.D && d === want.d && s === want.s,
					`projection ${[D, d, s]} ≠ ${Object.values(want)}`
				);
			}
			for (let step = 0; step < ref.losses.length; step++) {
				const { loss, grads } = handGradients(model, tuned, b.x, b.oneHot, b.invBatch);
				const what = `loss ${method} step ${step + 1}`;
				check('loss', what, await loss.data(), [ref.losses[step]], LOSS_TOL);
				if (step === 0) {
					for (const [i, { name }] of tuned.trainable.entries()) {
						const what = `gradient ${method} ∂L/∂${name}`;
						check('gradient', what, await grads[i].data(), ref.grads[name], GRAD_TOL);
					}
				}
				opt.apply(grads);
				tf.dispose([loss, ...grads]);
			}
			await compareEnd(method, tuned, check);
			const after = tf.tidy(() => crossEntropy(model.forward(tuned, b.x), b.labels));
			const what = `loss ${method} after the last step`;
			check('loss', what, await after.data(), [ref.lossAfter], LOSS_TOL);
			after.dispose();
			if (method === 'subspace') {
				// θ₀ + P·z at the final z, each parameter as the method exports it.
				const theta = await tuned.exportWeights();
				for (const [name, values] of Object.entries(fx.methods.subspace.theta)) {
					check('value', `value subspace θ ${name}`, theta[name], values, VALUE_TOL);
				}
			}
		} finally {
			b.dispose();
			opt.dispose();
			tuned.dispose();
		}
	}

	return { model, weights, seed, classes, config, setStart, prepared, compareEnd, base, steps };
}
