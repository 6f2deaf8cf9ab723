/**
 * The memory model against the trainer's own ledger: the in-browser character transformer mapped
 * to a `ModelArch` has the parameter count the shipped weights have, and the bytes the memory
 * model predicts for its frozen weights, trainable weights and Adam state are exactly what a real
 * `Trainer` (tfjs, cpu backend) holds, for full fine-tuning and for LoRA.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	PAPER_MODELS,
	countParameters,
	estimateTrainingMemory,
	predictedLedger,
	smallTransformerArch,
	type SmallTransformerConfig
} from '$lib/math/memory';
import { createRng } from '$lib/math/rng';
import { initWeights } from '$lib/model/params';
import { transformer } from '$lib/model/transformer';
import { charTask } from '$lib/trainer/tasks';
import { Trainer } from '$lib/trainer/trainer';

const manifest = JSON.parse(readFileSync('static/models/manifest.json', 'utf8'));
const charlm = manifest.models.charlm as {
	config: SmallTransformerConfig & { kind: string };
	parameters: number;
};
const { vocab, context, dModel, heads, layers } = charlm.config;
const shape: SmallTransformerConfig = { vocab, context, dModel, heads, layers };
const arch = smallTransformerArch(shape);
/** LoRA as the trainer does it by default: every linear layer but the head. */
const LORA_TARGETS = ['q', 'k', 'v', 'o', 'up', 'down'] as const;

beforeAll(async () => {
	await tf.setBackend('cpu');
});

describe('the in-browser transformer as a ModelArch', () => {
	it('has the shipped model’s 60,213 parameters', () => {
		expect(charlm.parameters).toBe(60_213);
		expect(countParameters(arch)).toBe(charlm.parameters);
	});

	it('predicts full fine-tuning: nothing frozen, 4 B per weight, 8 B of Adam state', () => {
		const p = predictedLedger(arch, { method: 'full', batchSize: 16, seqLen: 32 });
		expect(p).toMatchObject({ frozen: 0, trainable: 240_852, optimizer: 481_704 });
		expect(p.trainableParams).toBe(60_213);
	});

	it('predicts LoRA r = 4: r·(d + k) per adapted matrix, the base frozen', () => {
		const p = predictedLedger(arch, {
			method: 'lora',
			rank: 4,
			targets: [...LORA_TARGETS],
			batchSize: 16,
			seqLen: 32
		});
		// Per layer: q, k, v, o at 4·(48 + 48), up and down at 4·(48 + 192); two layers.
		expect(p.trainableParams).toBe(2 * (4 * 4 * 96 + 2 * 4 * 240));
		expect(p.frozen).toBe(240_852);
		expect(p.trainable).toBe(4 * p.trainableParams);
		expect(p.optimizer).toBe(8 * p.trainableParams);
		expect(p.transient).toBeGreaterThan(0);
	});

	it('refuses mixed precision and QLoRA, which the browser trainer does not do', () => {
		expect(() => predictedLedger(arch, { method: 'full', precision: 'mixed' })).toThrow(RangeError);
		expect(() => predictedLedger(arch, { method: 'qlora' })).toThrow(RangeError);
	});
});

describe('prediction against a real Trainer', () => {
	const model = transformer(shape);
	const base = initWeights(model.params, createRng(7));
	const task = charTask('finetune-small', 32, 32, 8, 1);

	it.each([
		['full', { method: 'full' as const }],
		['lora', { method: 'lora' as const, rank: 4 }]
	])('%s: frozen, trainable and Adam bytes agree to the byte', async (_, tuning) => {
		const before = tf.memory().numTensors;
		const t = new Trainer({ model, base, tuning, task, lr: 0.003, batchSize: 8, seed: 1 });
		try {
			await t.run(2);
			const measured = t.ledger();
			const predicted = predictedLedger(arch, {
				method: tuning.method,
				rank: 'rank' in tuning ? tuning.rank : undefined,
				targets: [...LORA_TARGETS],
				batchSize: 8,
				seqLen: 32
			});
			expect(measured.frozen).toBe(predicted.frozen);
			expect(measured.trainable).toBe(predicted.trainable);
			expect(measured.optimizer).toBe(predicted.optimizer);
			expect(measured.trainableParams).toBe(predicted.trainableParams);
		} finally {
			t.dispose();
		}
		expect(tf.memory().numTensors).toBe(before);
	});
});

describe('paper models', () => {
	it('LLaMA 65B has 65,285,660,672 parameters and QLoRA fits it under 48 GB', () => {
		const llama = PAPER_MODELS['llama-65b'];
		expect(countParameters(llama)).toBe(65_285_660_672);
		const q = estimateTrainingMemory(llama, { method: 'qlora', gradientCheckpointing: true });
		expect(q.total / 1e9).toBeLessThan(48);
	});
});
