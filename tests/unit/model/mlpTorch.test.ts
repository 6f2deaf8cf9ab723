/**
 * The MLP's hand-written training step against PyTorch, for every fine-tuning method: the same
 * sizes, weights, batch and Adam settings as scripts/fixtures/mlp_step.py (Debian's
 * python3-torch, float64 arithmetic), on tfjs's cpu and wasm backends with the kernels the
 * trainer registers there (products, column sums, cross-entropy, ReLU's gradient, fused Adam,
 * the subspace gather-sum, the SIMD build, bound to tfjs's heap on wasm). For full fine-tuning,
 * LoRA (default targets), head only, BitFit and the random subspace: three Adam steps through
 * `model.gradients` (no tape), checking every step's loss, every trainable gradient at step 1,
 * every final value and the loss after the last step; then the same three steps through
 * `Trainer` with `handGradients`, checking its losses and final values. MLP_TORCH_WORST=1 prints
 * the worst error of each kind per method and backend.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '$lib/math/rng';
import { Adam, assignValues } from '$lib/model/adam';
import { crossEntropy } from '$lib/model/losses';
import { prepare, SubspaceTuned } from '$lib/model/methods';
import { sparseProjection } from '$lib/model/methods/subspace';
import { mlp } from '$lib/model/mlp';
import type { ModelDef } from '$lib/model/model';
import type { MethodId, Tuned, TuningConfig } from '$lib/model/tuned';
import '$lib/model/kernels/linalgCpu';
import '$lib/model/kernels/linalgHost';
import '$lib/model/kernels/adamWasm';
import { ADAM_KERNEL, hasFusedAdam } from '$lib/model/kernels/adamKernel';
import {
	COLSUM_KERNEL,
	MATMUL_KERNEL,
	RELU_GRAD_KERNEL,
	TRANSPOSE_KERNEL,
	XENT_KERNEL
} from '$lib/model/kernels/linalg';
import { GATHER_SUM_KERNEL } from '$lib/model/methods/subspace';
import { loadSimdKernels } from '$lib/model/kernels/simdKernels';
import { bindSimdToWasmBackend } from '$lib/model/kernels/hostKernels';
import { Trainer } from '$lib/trainer/worker/trainer';
import type { TaskData } from '$lib/trainer/worker/tasks';
import {
	close as closeTo,
	fixtureWeights,
	handGradients,
	type MethodRef,
	type TorchFixture
} from './torchFixture';

interface Fixture extends TorchFixture {
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

const fx: Fixture = JSON.parse(readFileSync('tests/fixtures/mlp_step.json', 'utf8'));
const { batch, adam, sizes } = fx;
const classes = sizes[sizes.length - 1];
const model = mlp(sizes);
const weights = fixtureWeights(fx.weights);
const METHODS: MethodId[] = ['full', 'lora', 'head', 'bitfit', 'subspace'];
/** The trainer prepares a run's method with createRng(seed).fork('init'); the fixture's P too. */
const SEED = fx.methods.subspace.seed;

/*
 * Tolerances, relative to the float64 reference: |ours − ref| ≤ tol·(1 + |ref|) for every
 * element. float32 carries about 7 digits; the worst errors seen were 7e-8 on cpu (losses,
 * gradients and values after three Adam steps alike), and the same on wasm with its Adam kernel's
 * JavaScript loop; a SIMD Adam that rounds 1 − β₂ to float32 lengthens every step by 7e-6 and
 * gave 4e-7 (losses) and 2e-7 (values). The tolerances leave 25 times that or more, far below
 * what a wrong term would move (one Adam step moves a value by up to lr = 1e-2). The fixture keeps every pre-activation at least 4e-4 from ReLU's kink and every
 * nonzero gradient above 1e-5, so that float32 takes float64's branches and Adam's signs.
 */
const LOSS_TOL = 1e-5;
const GRAD_TOL = 1e-5;
const VALUE_TOL = 1e-4;

/** Worst error relative to (1 + |ref|) by check, printed when MLP_TORCH_WORST is set. */
const worst = new Map<string, number>();

function close(what: string, actual: ArrayLike<number>, expected: number[], tol: number) {
	const key = `${tf.getBackend()} ${what.split(' ').slice(0, 2).join(' ')}`;
	closeTo(what, actual, expected, tol, (e) => worst.set(key, Math.max(worst.get(key) ?? 0, e)));
}

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

function prepared(method: MethodId): Tuned {
	const tuned = prepare(model, weights, config(method), createRng(SEED).fork('init'));
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
	return { x, labels, oneHot, invBatch, dispose: () => tf.dispose([x, labels, oneHot, invBatch]) };
}

function compareEnd(method: MethodId, tuned: Tuned) {
	const ref = fx.methods[method];
	for (const { name, variable } of tuned.trainable) {
		close(`value ${method} ${name}`, variable.dataSync(), ref.end[name], VALUE_TOL);
	}
}

const task: TaskData = {
	name: 'mlp_step fixture batch',
	inWidth: sizes[0],
	outWidth: 1,
	classes,
	train: { x: Float32Array.from(fx.x), y: Int32Array.from(fx.labels), n: batch },
	test: { x: Float32Array.from(fx.x), y: Int32Array.from(fx.labels), n: batch }
};

it('uses the projection the trainer’s seed gives SubspaceTuned', () => {
	const ref = fx.methods.subspace;
	const D = model.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
	const P = sparseProjection(D, ref.dim, ref.s, createRng(SEED).fork('init').fork('projection'));
	expect(Array.from(P.rowCol), 'regenerate the fixture: the projection changed').toEqual(
		ref.rowCol
	);
	expect(Array.from(P.rowVal)).toEqual(ref.rowVal);
});

describe.each(['cpu', 'wasm'])('MLP step against PyTorch on the %s backend', (backend) => {
	beforeAll(async () => {
		setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
		expect(await loadSimdKernels(), 'the SIMD build').not.toBeNull();
		expect(await tf.setBackend(backend)).toBe(true);
		await tf.ready();
		if (backend === 'wasm') expect(await bindSimdToWasmBackend(tf.backend())).toBe(true);
	});
	afterAll(async () => {
		if (process.env.MLP_TORCH_WORST) {
			const lines = [...worst].filter(([k]) => k.startsWith(backend));
			console.info(lines.map(([k, v]) => `${k}: ${v.toExponential(2)}`).join('\n'));
		}
		await tf.setBackend('cpu');
	});

	it('runs the trainer’s kernels', () => {
		const kernels = [COLSUM_KERNEL, XENT_KERNEL, RELU_GRAD_KERNEL, TRANSPOSE_KERNEL];
		// On wasm, products stay with tfjs's XNNPACK (on operands transposed first).
		if (backend === 'cpu') kernels.push(MATMUL_KERNEL);
		for (const k of [...kernels, ADAM_KERNEL, GATHER_SUM_KERNEL]) {
			expect(tf.getKernel(k, backend), k).toBeDefined();
		}
		expect(hasFusedAdam()).toBe(true);
	});

	it('uses PyTorch’s Adam settings, which are the trainer’s defaults', () => {
		const defaults = new Adam([], adam.lr);
		expect({ beta1: defaults.beta1, beta2: defaults.beta2, eps: defaults.eps }).toEqual({
			beta1: adam.beta1,
			beta2: adam.beta2,
			eps: adam.eps
		});
		defaults.dispose();
	});

	it('gives the base model’s loss', () => {
		const before = tf.memory().numTensors;
		const tuned = prepared('full');
		const b = batchTensors();
		const loss = tf.tidy(() => crossEntropy(model.forward(tuned, b.x), b.labels));
		close('loss base', loss.dataSync(), [fx.base.loss], LOSS_TOL);
		loss.dispose();
		b.dispose();
		tuned.dispose();
		expect(tf.memory().numTensors).toBe(before);
	});

	it.each(METHODS)(
		'%s: three Adam steps by the hand-written backward pass give PyTorch’s losses, gradients and values',
		async (method) => {
			expect(tf.getBackend()).toBe(backend);
			const ref = fx.methods[method];
			const before = tf.memory().numTensors;
			const tuned = prepared(method);
			expect(tuned.trainable.map((v) => v.name)).toEqual(ref.trainable);
			if (method === 'subspace') {
				const sub = fx.methods.subspace;
				const { D, d, s } = (tuned as SubspaceTuned).projection;
				expect({ D, d, s }).toEqual({ D: sub.rowCol.length / sub.s, d: sub.dim, s: sub.s });
			}
			const opt = new Adam(tuned.trainable, adam.lr, adam);
			const b = batchTensors();
			for (let step = 0; step < ref.losses.length; step++) {
				const { loss, grads } = handGradients(model, tuned, b.x, b.oneHot, b.invBatch);
				close(`loss ${method} step ${step + 1}`, loss.dataSync(), [ref.losses[step]], LOSS_TOL);
				if (step === 0) {
					tuned.trainable.forEach(({ name }, i) => {
						close(`gradient ${method} ∂L/∂${name}`, grads[i].dataSync(), ref.grads[name], GRAD_TOL);
					});
				}
				opt.apply(grads);
				tf.dispose([loss, ...grads]);
			}
			compareEnd(method, tuned);
			const after = tf.tidy(() => crossEntropy(model.forward(tuned, b.x), b.labels));
			close(`loss ${method} after the last step`, after.dataSync(), [ref.lossAfter], LOSS_TOL);
			after.dispose();
			if (method === 'subspace') {
				// θ₀ + P·z at the final z, each parameter as the method exports it.
				const theta = await tuned.exportWeights();
				for (const [name, values] of Object.entries(fx.methods.subspace.theta)) {
					close(`value subspace θ ${name}`, theta[name], values, VALUE_TOL);
				}
			}
			b.dispose();
			opt.dispose();
			tuned.dispose();
			expect(tf.memory().numTensors).toBe(before);
		}
	);

	it.each(METHODS)(
		'%s: the Trainer with handGradients takes the same three steps',
		async (method) => {
			const ref = fx.methods[method];
			const before = tf.memory().numTensors;
			let calls = 0;
			const counted: ModelDef = {
				...model,
				gradients: (...args) => {
					calls++;
					return model.gradients!(...args);
				}
			};
			const trainer = new Trainer({
				model: counted,
				base: weights,
				tuning: config(method),
				task,
				lr: adam.lr,
				// The whole batch every step, in a shuffled order: the mean is the same.
				batchSize: batch,
				seed: SEED,
				handGradients: true
			});
			setStart(method, trainer.parameters);
			expect(trainer.parameters.trainable.map((v) => v.name)).toEqual(ref.trainable);
			for (let step = 0; step < ref.losses.length; step++) {
				const report = await trainer.run(1);
				close(
					`loss ${method} Trainer step ${step + 1}`,
					[report.loss],
					[ref.losses[step]],
					LOSS_TOL
				);
			}
			expect(calls, 'steps through model.gradients').toBe(ref.losses.length);
			compareEnd(method, trainer.parameters);
			trainer.dispose();
			expect(tf.memory().numTensors).toBe(before);
		}
	);
});
