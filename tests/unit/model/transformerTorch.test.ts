/**
 * The character transformer against PyTorch: the same weights, batch and Adam settings as
 * scripts/fixtures/transformer_step.py (Debian's python3-torch, float64 arithmetic), on tfjs's
 * cpu and wasm backends, with gradients from tfjs's tape and from the model's hand-written
 * backward pass. The base model's logits and loss, and for full fine-tuning and LoRA (q and v of
 * every block) three Adam steps: every step's loss, every trainable gradient at step 1, every
 * final value, and the loss after the last step (./transformerReference, which the kernel check
 * page also runs in Chromium). Also: the attention mask is causal.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectingCheck } from './torchExpect';
import { transformerReference, type Path, type TransformerFixture } from './transformerReference';

const fx: TransformerFixture = JSON.parse(
	readFileSync('tests/fixtures/transformer_step.json', 'utf8')
);
const { batch, t } = fx;
const vocab = fx.config.vocab;
const { model, prepared, base, steps } = transformerReference(fx);
const check = expectingCheck();

describe.each(['cpu', 'wasm'])('transformer against PyTorch on the %s backend', (backend) => {
	beforeAll(async () => {
		setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
		await tf.setBackend(backend);
	});
	afterAll(async () => {
		await tf.setBackend('cpu');
	});

	it('gives the base model’s logits and loss', async () => {
		expect(tf.getBackend()).toBe(backend);
		const before = tf.memory().numTensors;
		await base(check);
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
			async (method) => {
				expect(tf.getBackend()).toBe(backend);
				const before = tf.memory().numTensors;
				await steps(method, path, check);
				expect(tf.memory().numTensors).toBe(before);
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
