/**
 * Pretrains the course's base models deterministically in Node and writes them to
 * static/models/: one weight file per model and a manifest with its config, seed, steps,
 * held-out accuracy and sha256. Rerun it and the same code gives the
 * same bytes on the same backend (tfjs cpu, single-threaded JavaScript). Run it as
 * `npx vite-node scripts/pretrain.ts [ids…]`: vite-node resolves tfjs-core's ES modules as the
 * browser build does.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRng } from '../src/lib/math/rng';
import { parseDigits } from '../src/lib/model/data/digits';
import { initWeights, sizeOf } from '../src/lib/model/params';
import {
	buildModel,
	packWeights,
	type BaseModelEntry,
	type ModelConfig,
	type ModelManifest
} from '../src/lib/model/weightsFile';
import { charTask, digitsTask, syntheticTask } from '../src/lib/trainer/tasks';
import type { TaskData } from '../src/lib/trainer/task';
import { Trainer } from '../src/lib/trainer/trainer';
import { TEACHER_STUDENT } from '../src/lib/trainer/bases';

interface Plan {
	id: string;
	title: string;
	config: ModelConfig;
	task: () => TaskData;
	taskName: string;
	steps: number;
	lr: number;
	batchSize: number;
	seed: number;
}

const digits = parseDigits(new Uint8Array(readFileSync('static/data/digits/digits.bin')));

const plans: Plan[] = [
	{
		id: 'digits10',
		title: 'Digits MLP, pretrained on all ten digits',
		config: { kind: 'mlp', sizes: [64, 128, 128, 10] },
		task: () => digitsTask(digits, 'pretrain'),
		taskName: 'digits: pretrain',
		steps: 1500,
		lr: 1e-3,
		batchSize: 64,
		seed: 1
	},
	{
		id: 'digits5',
		title: 'Digits MLP, pretrained on the digits 0–4 only',
		config: { kind: 'mlp', sizes: [64, 128, 128, 5] },
		task: () => digitsTask(digits, 'pretrain-0to4'),
		taskName: 'digits: pretrain-0to4',
		steps: 1500,
		lr: 1e-3,
		batchSize: 64,
		seed: 2
	},
	{
		id: 'teacher',
		title: 'Teacher–student MLP, pretrained on the base teacher',
		config: { kind: 'mlp', sizes: [TEACHER_STUDENT.dIn, 64, TEACHER_STUDENT.dOut] },
		task: () => syntheticTask({ ...TEACHER_STUDENT, rank: 0, relNorm: 0 }, 'base'),
		taskName: 'teacher–student: base teacher',
		steps: 2000,
		lr: 2e-3,
		batchSize: 64,
		seed: 3
	},
	{
		id: 'charlm',
		title: 'Character transformer, pretrained on the generated language',
		config: { kind: 'transformer', vocab: 21, context: 32, dModel: 48, heads: 4, layers: 2 },
		task: () => charTask('pretrain', 32, 512, 64, 4),
		taskName: 'text: pretrain',
		steps: 600,
		lr: 3e-3,
		batchSize: 16,
		seed: 4
	}
];

await tf.setBackend('cpu');
const only = process.argv.slice(2);
const manifestPath = 'static/models/manifest.json';
let manifest: ModelManifest = { models: {} };
try {
	manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
} catch {
	/* first run */
}

for (const plan of plans) {
	if (only.length && !only.includes(plan.id)) continue;
	const model = buildModel(plan.config);
	const task = plan.task();
	const base = initWeights(model.params, createRng(plan.seed));
	const trainer = new Trainer({
		model,
		base,
		tuning: { method: 'full' },
		task,
		lr: plan.lr,
		batchSize: plan.batchSize,
		seed: plan.seed
	});
	const t0 = Date.now();
	let report = await trainer.run(1);
	while (trainer.step < plan.steps)
		report = await trainer.run(Math.min(100, plan.steps - trainer.step));
	const score = await trainer.evaluate();
	const weights = await trainer.parameters.exportWeights();
	trainer.dispose();
	const bytes = packWeights(model.params, weights);
	const file = `${plan.id}.bin`;
	writeFileSync(`static/models/${file}`, bytes);
	const entry: BaseModelEntry = {
		id: plan.id,
		title: plan.title,
		file,
		bytes: bytes.byteLength,
		sha256: createHash('sha256').update(bytes).digest('hex'),
		config: plan.config,
		pretraining: {
			task: plan.taskName,
			seed: plan.seed,
			steps: plan.steps,
			lr: plan.lr,
			batchSize: plan.batchSize
		},
		testAccuracy: Math.round(score.testAccuracy * 10000) / 10000,
		parameters: model.params.reduce((n, p) => n + sizeOf(p.shape), 0)
	};
	manifest.models[plan.id] = entry;
	console.log(
		`${plan.id}: ${entry.parameters} parameters, ${(bytes.byteLength / 1024).toFixed(0)} KB, ` +
			`final loss ${report.loss.toFixed(3)}, held-out accuracy ${(score.testAccuracy * 100).toFixed(1)}% ` +
			`(${((Date.now() - t0) / 1000).toFixed(1)} s)`
	);
}
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, '\t')}\n`);
