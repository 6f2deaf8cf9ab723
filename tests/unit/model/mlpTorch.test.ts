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
 * the worst error of each kind per method and backend. The hand-written steps are
 * ./mlpReference's, which the kernel check page also runs in Chromium on every backend.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '$lib/math/rng';
import { Adam } from '$lib/model/adam';
import { sparseProjection } from '$lib/model/methods/subspace';
import type { ModelDef } from '$lib/model/model';
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
import { LOSS_TOL, METHODS, mlpReference, type MlpFixture } from './mlpReference';
import { expectingCheck } from './torchExpect';

const fx: MlpFixture = JSON.parse(readFileSync('tests/fixtures/mlp_step.json', 'utf8'));
const { batch, adam, sizes } = fx;
const ref = mlpReference(fx);
const { model, weights, classes, config, setStart, compareEnd } = ref;
const SEED = ref.seed;

/** Worst error relative to (1 + |ref|) by check, printed when MLP_TORCH_WORST is set. */
const worst = new Map<string, number>();
const check = expectingCheck((_kind, what, e) => {
	const key = `${tf.getBackend()} ${what.split(' ').slice(0, 2).join(' ')}`;
	worst.set(key, Math.max(worst.get(key) ?? 0, e));
});

const task: TaskData = {
	name: 'mlp_step fixture batch',
	inWidth: sizes[0],
	outWidth: 1,
	classes,
	train: { x: Float32Array.from(fx.x), y: Int32Array.from(fx.labels), n: batch },
	test: { x: Float32Array.from(fx.x), y: Int32Array.from(fx.labels), n: batch }
};

it('uses the projection the trainer’s seed gives SubspaceTuned', () => {
	const sub = fx.methods.subspace;
	const D = model.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
	const P = sparseProjection(D, sub.dim, sub.s, createRng(SEED).fork('init').fork('projection'));
	expect(Array.from(P.rowCol), 'regenerate the fixture: the projection changed').toEqual(
		sub.rowCol
	);
	expect(Array.from(P.rowVal)).toEqual(sub.rowVal);
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

	it('gives the base model’s loss', async () => {
		const before = tf.memory().numTensors;
		await ref.base(check);
		expect(tf.memory().numTensors).toBe(before);
	});

	it.each(METHODS)(
		'%s: three Adam steps by the hand-written backward pass give PyTorch’s losses, gradients and values',
		async (method) => {
			expect(tf.getBackend()).toBe(backend);
			const before = tf.memory().numTensors;
			await ref.steps(method, check);
			expect(tf.memory().numTensors).toBe(before);
		}
	);

	it.each(METHODS)(
		'%s: the Trainer with handGradients takes the same three steps',
		async (method) => {
			const mref = fx.methods[method];
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
			expect(trainer.parameters.trainable.map((v) => v.name)).toEqual(mref.trainable);
			for (let step = 0; step < mref.losses.length; step++) {
				const report = await trainer.run(1);
				check(
					'loss',
					`loss ${method} Trainer step ${step + 1}`,
					[report.loss],
					[mref.losses[step]],
					LOSS_TOL
				);
			}
			expect(calls, 'steps through model.gradients').toBe(mref.losses.length);
			await compareEnd(method, trainer.parameters, check);
			trainer.dispose();
			expect(tf.memory().numTensors).toBe(before);
		}
	);
});
