/**
 * The character transformer against PyTorch: the same weights, batch and Adam settings as
 * scripts/fixtures/transformer_step.py (Debian's python3-torch, float64 arithmetic), on tfjs's
 * cpu and wasm backends, with gradients from tfjs's tape and from the model's hand-written
 * backward pass. The base model's logits and loss, and for full fine-tuning and LoRA (q and v of
 * every block) three Adam steps: every step's loss, every trainable gradient at step 1, every
 * final value, and the loss after the last step. Also: the attention mask is causal.
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
import { prepare } from '$lib/model/methods';
import { transformer, type TransformerConfig } from '$lib/model/transformer';
import type { Tuned, TuningConfig } from '$lib/model/tuned';
import { close, fixtureWeights, handGradients, type TorchFixture } from './torchFixture';

interface Fixture extends TorchFixture {
	config: TransformerConfig;
	t: number;
	zeroGradient: string[];
	ids: number[];
	targets: number[];
	base: { loss: number; logits: number[] };
}

const fx: Fixture = JSON.parse(readFileSync('tests/fixtures/transformer_step.json', 'utf8'));
const { batch, t, adam } = fx;
const vocab = fx.config.vocab;
const model = transformer(fx.config);
const weights = fixtureWeights(fx.weights);

/*
 * Tolerances, relative to the float64 reference: |ours − ref| ≤ tol·(1 + |ref|) for every
 * element. float32 carries about 7 digits; the worst errors seen on cpu and wasm by the tape were
 * 4e-7 (logits), 1e-7 (losses), 1e-7 (gradients) and 1e-6 (values after three Adam steps, which
 * divide each gradient by its own size and so enlarge its rounding): the tolerances leave 10 to
 * 100 times that, far below what a wrong term would move.
 */
const LOGIT_TOL = 1e-5;
const LOSS_TOL = 1e-5;
const GRAD_TOL = 1e-5;
const VALUE_TOL = 1e-4;
/** The key bias's exact gradient is zero; float32 leaves rounding noise well below this. */
const ZERO_GRAD_TOL = 1e-6;

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

type Path = 'tape' | 'hand';

/** Loss and gradients in `tuned.trainable`'s order by the tape or by `model.gradients`; caller owns. */
function lossAndGrads(
	tuned: Tuned,
	path: Path,
	b: ReturnType<typeof batchTensors>
): { loss: tf.Scalar; grads: tf.Tensor[] } {
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

/** Three Adam steps on the fixture's batch, checked against PyTorch at every step. */
function trainAndCompare(method: 'full' | 'lora', path: Path) {
	const ref = fx.methods[method];
	const before = tf.memory().numTensors;
	const tuned = prepared(method);
	expect(tuned.trainable.map((v) => v.name)).toEqual(ref.trainable);
	const opt = new Adam(tuned.trainable, adam.lr, adam);
	const b = batchTensors();
	for (let step = 0; step < ref.losses.length; step++) {
		const { loss, grads } = lossAndGrads(tuned, path, b);
		close(`loss at step ${step + 1}`, loss.dataSync(), [ref.losses[step]], LOSS_TOL);
		if (step === 0) {
			tuned.trainable.forEach(({ name }, i) => {
				const got = grads[i].dataSync();
				if (fx.zeroGradient.includes(name)) {
					expect(got.length, name).toBe(ref.grads[name].length);
					for (let j = 0; j < got.length; j++) {
						expect(Math.abs(got[j]), `∂L/∂${name}[${j}]`).toBeLessThan(ZERO_GRAD_TOL);
					}
				} else close(`∂L/∂${name}`, got, ref.grads[name], GRAD_TOL);
			});
		}
		opt.apply(grads);
		tf.dispose([loss, ...grads]);
	}
	for (const { name, variable } of tuned.trainable) {
		const got = variable.dataSync();
		if (fx.zeroGradient.includes(name)) {
			// Adam divides by √v + ε, so a zero gradient's float32 rounding noise becomes steps of up
			// to lr: allow three of them. That the loss is right shows the value does not matter.
			close(name, got, ref.end[name], VALUE_TOL + ref.losses.length * adam.lr);
		} else close(name, got, ref.end[name], VALUE_TOL);
	}
	const after = tf.tidy(() => crossEntropy(model.forward(tuned, b.ids), b.targets));
	close('loss after the last step', after.dataSync(), [ref.lossAfter], LOSS_TOL);
	after.dispose();
	b.dispose();
	opt.dispose();
	tuned.dispose();
	expect(tf.memory().numTensors).toBe(before);
}

describe.each(['cpu', 'wasm'])('transformer against PyTorch on the %s backend', (backend) => {
	beforeAll(async () => {
		setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
		await tf.setBackend(backend);
	});
	afterAll(async () => {
		await tf.setBackend('cpu');
	});

	it('gives the base model’s logits and loss', () => {
		expect(tf.getBackend()).toBe(backend);
		const before = tf.memory().numTensors;
		const tuned = prepared('full');
		const b = batchTensors();
		const [logits, loss] = tf.tidy(() => {
			const z = model.forward(tuned, b.ids);
			return [z, crossEntropy(z, b.targets)];
		});
		expect(logits.shape).toEqual([batch * t, vocab]);
		close('logits', logits.dataSync(), fx.base.logits, LOGIT_TOL);
		close('loss', loss.dataSync(), [fx.base.loss], LOSS_TOL);
		tf.dispose([logits, loss]);
		b.dispose();
		tuned.dispose();
		expect(tf.memory().numTensors).toBe(before);
	});

	describe.each(['tape', 'hand'] as Path[])('gradients by the %s', (path) => {
		if (path === 'hand') {
			it('has a hand-written backward pass (model.gradients)', () => {
				expect(model.gradients, 'transformer(cfg).gradients is not defined').toBeTypeOf('function');
			});
		}
		it.each(['full', 'lora'] as const)(
			'%s: three Adam steps give PyTorch’s losses, gradients and final values',
			(method) => {
				expect(tf.getBackend()).toBe(backend);
				trainAndCompare(method, path);
			}
		);
	});

	it('is causal: a token changes the logits at its own position and none before it', () => {
		const before = tf.memory().numTensors;
		const tuned = prepared('full');
		const logitsOf = (ids: number[]) =>
			tf.tidy(() => model.forward(tuned, tf.tensor2d(ids, [batch, t], 'int32')).dataSync());
		const base = logitsOf(fx.ids);
		for (let j = 0; j < t; j++) {
			// Change position j of the second sequence, so rows of the first and third are checked too.
			const ids = fx.ids.slice();
			ids[t + j] = (ids[t + j] + 1) % vocab;
			const changed = logitsOf(ids);
			let atJ = 0;
			for (let row = 0; row < batch * t; row++) {
				const seq = Math.floor(row / t);
				const i = row % t;
				let diff = 0;
				for (let c = 0; c < vocab; c++) {
					diff = Math.max(diff, Math.abs(changed[row * vocab + c] - base[row * vocab + c]));
				}
				if (seq === 1 && i === j) atJ = diff;
				else if (seq !== 1 || i < j) {
					expect(diff, `token ${j} moved the logits of row ${row}`).toBeLessThanOrEqual(1e-6);
				}
			}
			expect(atJ, `token ${j} left its own logits alone`).toBeGreaterThan(1e-3);
		}
		tuned.dispose();
		expect(tf.memory().numTensors).toBe(before);
	});
});
