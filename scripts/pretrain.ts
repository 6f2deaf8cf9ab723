/**
 * Pretrains the course's base models deterministically in Node and writes them to
 * static/models/: one weight file per model and a manifest with its config, seed, steps,
 * held-out accuracy and sha256. Rerun it and the same code gives the same bytes on the same
 * backend: tfjs cpu (single-threaded JavaScript) for the small models, WebAssembly (single
 * thread, our SIMD kernels) for the language model, which has 360k parameters and sees 11M
 * characters. Run it as `npx vite-node scripts/pretrain.ts [ids…]`: vite-node resolves
 * tfjs-core's ES modules as the browser build does.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRng } from '../src/lib/math/rng';
import { parseDigits } from '../src/lib/model/data/digits';
import { baselineBits, bitsPerChar, textTask } from '../src/lib/model/data/text';
import { diskTextSplits } from './node/diskSources';
import { LM_PRETRAIN_CORPORA } from '../src/lib/data/lmDrift';
import { initWeights, sizeOf } from '../src/lib/model/params';
import {
	buildModel,
	packWeights,
	type BaseModelEntry,
	type ModelConfig,
	type ModelManifest
} from '../src/lib/model/weightsFile';
import {
	charTask,
	digitsTask,
	syntheticTask,
	TEACHER_STUDENT,
	type TaskData
} from '../src/lib/trainer/worker/tasks';
import { Trainer } from '../src/lib/trainer/worker/trainer';

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
	/** Backend to train on (default cpu). */
	backend?: 'cpu' | 'wasm';
	/**
	 * The last `decay` fraction of the steps lowers the learning rate linearly to a tenth (a
	 * language model's loss keeps falling there; the small models train at a constant rate).
	 */
	decay?: number;
	/** For a language model: the corpora of its text, whose baselines the manifest reports. */
	corpora?: readonly string[];
}

const digits = parseDigits(new Uint8Array(readFileSync('static/data/digits/digits.bin')));

/** The digits MLP (64 → 128 → 128 → `classes`) pretrained on the digits task `task`. */
function digitsPlan(
	id: string,
	title: string,
	task: 'pretrain' | 'pretrain-0to4',
	classes: number,
	seed: number
): Plan {
	return {
		id,
		title,
		config: { kind: 'mlp', sizes: [64, 128, 128, classes] },
		task: () => digitsTask(digits, task),
		taskName: `digits: ${task}`,
		steps: 1500,
		lr: 1e-3,
		batchSize: 64,
		seed
	};
}

const plans: Plan[] = [
	digitsPlan('digits10', 'Digits MLP, pretrained on all ten digits', 'pretrain', 10, 1),
	digitsPlan('digits5', 'Digits MLP, pretrained on the digits 0–4 only', 'pretrain-0to4', 5, 2),
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
	},
	{
		// Sized for the page: at batch 8 it fine-tunes at ~14 steps/s on WebAssembly here, where
		// d 128 and 4 layers (826k parameters) managed 7.
		id: 'englishlm',
		title: 'Character transformer, pretrained on State of the Union addresses of 1790–1869',
		config: { kind: 'transformer', vocab: 96, context: 64, dModel: 96, heads: 4, layers: 3 },
		task: () => textTask('sotu 1790–1869', diskTextSplits(LM_PRETRAIN_CORPORA), 64, 40000, 2048, 5),
		taskName: 'text: State of the Union 1790–1869',
		steps: Number(process.env.LM_STEPS ?? 11000),
		lr: 2e-3,
		batchSize: 16,
		seed: 5,
		backend: 'wasm',
		decay: 0.3,
		corpora: LM_PRETRAIN_CORPORA
	}
];

setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
/** Make `name` the backend, with the kernels of ours the trainer's worker would register. */
async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
	await tf.setBackend(name);
	await import('../src/lib/model/kernels/linalgHost');
	await import('../src/lib/model/kernels/transformerHost');
	await import('../src/lib/model/kernels/adamKernel');
	if (name === 'cpu') await import('../src/lib/model/kernels/linalgCpu');
	if (name === 'wasm') {
		await import('../src/lib/model/kernels/adamWasm');
		const { loadSimdKernels } = await import('../src/lib/model/kernels/simdKernels');
		const { bindSimdToWasmBackend } = await import('../src/lib/model/kernels/hostKernels');
		await loadSimdKernels();
		if (!(await bindSimdToWasmBackend(tf.backend()))) throw new Error('SIMD kernels unavailable');
	}
}
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
	await useBackend(plan.backend ?? 'cpu');
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
	const untrained = plan.corpora ? (await trainer.evaluate()).testLoss : NaN;
	let report = await trainer.run(1);
	const decayFrom = Math.round(plan.steps * (1 - (plan.decay ?? 0)));
	while (trainer.step < plan.steps) {
		if (trainer.step >= decayFrom) {
			const f = (trainer.step - decayFrom) / Math.max(1, plan.steps - decayFrom);
			trainer.lr = plan.lr * (1 - 0.9 * f);
		}
		const before = trainer.step;
		report = await trainer.run(Math.min(100, plan.steps - trainer.step));
		if (plan.corpora && Math.floor(trainer.step / 1000) > Math.floor(before / 1000)) {
			const { testLoss } = await trainer.evaluate();
			console.log(
				`  ${plan.id} step ${trainer.step}: train ${bitsPerChar(report.loss).toFixed(3)}, ` +
					`held-out ${bitsPerChar(testLoss).toFixed(3)} bits/char ` +
					`(${((Date.now() - t0) / 1000).toFixed(0)} s)`
			);
		}
	}
	const score = await trainer.evaluate();
	const seconds = (Date.now() - t0) / 1000;
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
	if (plan.corpora) {
		const { train, test } = diskTextSplits(plan.corpora);
		const base = baselineBits(train, test);
		const round = (x: number) => Math.round(x * 1000) / 1000;
		entry.language = {
			corpora: [...plan.corpora],
			heldOutBitsPerChar: round(bitsPerChar(score.testLoss)),
			baselines: {
				uniform: round(base.uniform),
				unigram: round(base.unigram),
				bigram: round(base.bigram),
				untrained: round(bitsPerChar(untrained))
			},
			charactersSeen: plan.steps * plan.batchSize * task.inWidth,
			seconds: Math.round(seconds),
			backend: tf.getBackend()
		};
	}
	manifest.models[plan.id] = entry;
	console.log(
		`${plan.id}: ${entry.parameters} parameters, ${(bytes.byteLength / 1024).toFixed(0)} KB, ` +
			`final loss ${report.loss.toFixed(3)}, held-out accuracy ${(score.testAccuracy * 100).toFixed(1)}% ` +
			`(${seconds.toFixed(1)} s)`
	);
}
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, '\t')}\n`);
