/**
 * The trainer's memory ledger against predictions. Each measured category is the change in
 * tfjs's own `tf.memory().numBytes` while the trainer made its tensors; the prediction is
 * parameter counts × 4 bytes (× 8 for Adam), from the memory model for the in-browser character
 * transformer (whose `ModelArch` has the shipped model's parameter count) and from the models'
 * parameter lists for every other method and for the digits MLP. Measured and predicted differ
 * where the trainer holds tensors that no parameter count includes; each test names them: Adam's
 * four scalar constants (16 B), LoRA's α/r as one scalar per adapted layer (4 B each), the
 * subspace's projection tables, and the data's one constant, 1/labels per batch (4 B). Every
 * category falls back when its tensors are disposed, and the transient peak of a step lies
 * between the bounds `stepPeakBounds` derives from the model's activations. On the cpu and
 * WebAssembly backends, with the fused kernels the worker registers for each.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
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
import { mlpActivationBytes, stepPeakBounds, transformerActivationBytes } from '$lib/math/stepPeak';
import { Adam } from '$lib/model/adam';
import { parseDigits } from '$lib/model/data/digits';
import '$lib/model/kernels/adamWasm';
import { bindSimdToWasmBackend } from '$lib/model/kernels/hostKernels';
import '$lib/model/kernels/linalgCpu';
import '$lib/model/kernels/linalgHost';
import { loadSimdKernels } from '$lib/model/kernels/simdKernels';
import '$lib/model/kernels/transformerHost';
import { prepare } from '$lib/model/methods';
import { SUBSPACE_NONZEROS } from '$lib/model/methods/subspace';
import type { ModelDef } from '$lib/model/model';
import { mlp } from '$lib/model/mlp';
import { initWeights, sizeOf, type Weights } from '$lib/model/params';
import { transformer } from '$lib/model/transformer';
import type { TuningConfig } from '$lib/model/tuned';
import { charTask, digitsTask, type TaskData } from '$lib/trainer/worker/tasks';
import { Trainer } from '$lib/trainer/worker/trainer';

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

const digits = parseDigits(new Uint8Array(readFileSync('static/data/digits/digits.bin')));
const MLP_SIZES = [64, 32, 10];

interface ModelCase {
	name: string;
	model: ModelDef;
	task: TaskData;
	batch: number;
	/** The forward pass's tensors of one step (A of `stepPeakBounds`), for LoRA's outputs if given. */
	activations(lora?: { rank: number; outDims: number[] }): number;
}

const modelCases: ModelCase[] = [
	{
		name: 'character transformer',
		model: transformer(shape),
		task: charTask('finetune-small', 32, 64, 16, 1),
		batch: 16,
		activations: (lora) => transformerActivationBytes(shape, 16, 32, lora)
	},
	{
		name: 'digits MLP',
		model: mlp(MLP_SIZES),
		task: digitsTask(digits, 'pretrain'),
		batch: 32,
		activations: (lora) => mlpActivationBytes(MLP_SIZES, 32, lora)
	}
];

const tunings: TuningConfig[] = [
	{ method: 'full' },
	{ method: 'lora', rank: 4 },
	{ method: 'lora', rank: 16 },
	{ method: 'head' },
	{ method: 'bitfit' },
	{ method: 'subspace', dim: 64 }
];

/** Parameters a method trains, counted from the model's parameter list. */
function trainedCount(model: ModelDef, t: TuningConfig): { base: number; adapters: number } {
	const count = (keep: (name: string, kind: string) => boolean) =>
		model.params.filter((p) => keep(p.name, p.kind)).reduce((n, p) => n + sizeOf(p.shape), 0);
	switch (t.method) {
		case 'full':
			return { base: count(() => true), adapters: 0 };
		case 'head':
			return { base: count((n) => model.head.some((h) => n.startsWith(`${h}.`))), adapters: 0 };
		case 'bitfit':
			return {
				base: count((n, kind) => kind === 'bias' || model.head.some((h) => n.startsWith(`${h}.`))),
				adapters: 0
			};
		case 'lora':
			return {
				base: 0,
				adapters: adapted(model).reduce((n, l) => n + t.rank! * (l.inDim + l.outDim), 0)
			};
		case 'subspace':
			return { base: 0, adapters: t.dim! };
	}
}

/** The linear layers the trainer's LoRA adapts by default: all but the head. */
const adapted = (model: ModelDef) => model.linears.filter((l) => !model.head.includes(l.name));

/**
 * What a parameter count predicts, fp32 with Adam: 4 B per frozen and per trainable value, 8 B
 * of moments per trainable value, 4 B per value of the task's inputs and labels (and, for a model
 * whose one label a row the trainer turns into one-hot targets once, classes × 4 B a row).
 */
/** The trainer each check measures: `c`'s task from `base`, seed 1, lr 0.003. */
function trainerFor(c: ModelCase, base: Weights, tuning: TuningConfig, batchSize = c.batch) {
	return new Trainer({ model: c.model, base, tuning, task: c.task, lr: 0.003, batchSize, seed: 1 });
}

function predictFromCounts(c: ModelCase, t: TuningConfig) {
	const total = c.model.params.reduce((n, p) => n + sizeOf(p.shape), 0);
	const { base, adapters } = trainedCount(c.model, t);
	const trainable = base + adapters;
	const { task } = c;
	const rows = task.train.n + task.test.n;
	const oneHot = task.outWidth === 1 ? task.train.n * task.classes : 0;
	return {
		frozen: 4 * (total - base),
		trainable: 4 * trainable,
		optimizer: 8 * trainable,
		data: 4 * (rows * (task.inWidth + task.outWidth) + oneHot),
		trainableParams: trainable
	};
}

/**
 * Measured − predicted, category by category, and why: tensors the trainer holds that no
 * parameter count includes.
 */
function explainedGap(c: ModelCase, t: TuningConfig) {
	const D = c.model.params.reduce((n, p) => n + sizeOf(p.shape), 0);
	let frozen = 0;
	// LoRA keeps α/r as a scalar tensor for each adapted layer (a JS number would be uploaded anew
	// on every op).
	if (t.method === 'lora') frozen = 4 * adapted(c.model).length;
	// The subspace's P: columns (int32) and values of the [D, s] row table and the [d, width]
	// column table, every column holding ⌈D·s/d⌉ entries at most, and the padding's one zero.
	if (t.method === 'subspace') {
		const s = SUBSPACE_NONZEROS;
		const width = Math.ceil((D * s) / t.dim!);
		frozen = 4 * (2 * D * s + 2 * t.dim! * width + 1);
	}
	return {
		frozen,
		trainable: 0,
		// Adam's β₁, 1 − β₁, β₂ and 1 − β₂, four scalar tensors made once.
		optimizer: 16,
		// 1 / (labels per batch), the hand-written backward pass's one scalar.
		data: 4
	};
}

let simdLoaded = false;
beforeAll(async () => {
	setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
	simdLoaded = (await loadSimdKernels()) !== null;
});

describe.each(['cpu', 'wasm'])('the measured ledger on %s', (backend) => {
	beforeAll(async () => {
		expect(await tf.setBackend(backend)).toBe(true);
		expect(simdLoaded).toBe(true);
		if (backend === 'wasm') expect(await bindSimdToWasmBackend(tf.backend())).toBe(true);
	});

	describe.each(modelCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
		const base = initWeights(c.model.params, createRng(7));
		const named = tunings.map((t) => [`${t.method}${t.rank ?? ''}`, t] as const);

		it.each(named)(
			'%s: measured = predicted + the named extras, and it all falls back on dispose',
			async (_m, tuning) => {
				const tensors = tf.memory().numTensors;
				const before = tf.memory().numBytes;
				const t = trainerFor(c, base, tuning);
				const made = tf.memory().numBytes - before;
				try {
					const m = t.ledger();
					const p = predictFromCounts(c, tuning);
					const gap = explainedGap(c, tuning);
					expect(m.trainableParams).toBe(p.trainableParams);
					for (const part of ['frozen', 'trainable', 'optimizer', 'data'] as const) {
						expect(m[part] - p[part], part).toBe(gap[part]);
					}
					// Everything the trainer made is in one category or another.
					expect(m.frozen + m.trainable + m.optimizer + m.data).toBe(made);
					// A step leaves nothing behind, and starting over holds the same bytes again.
					await t.run(2);
					expect(tf.memory().numBytes - before).toBe(made);
					t.reset();
					expect(tf.memory().numBytes - before).toBe(made);
				} finally {
					t.dispose();
				}
				expect(tf.memory().numBytes).toBe(before);
				expect(tf.memory().numTensors).toBe(tensors);
			}
		);

		it.each(named)(
			'%s: the weights’ and Adam’s bytes fall back by what was measured when each is disposed',
			(_m, tuning) => {
				const before = tf.memory().numBytes;
				const tuned = prepare(c.model, base, tuning, createRng(1));
				const afterTuned = tf.memory().numBytes;
				expect(afterTuned - before).toBe(tuned.frozenBytes() + tuned.trainableBytes());
				const adam = new Adam(tuned.trainable, 0.003);
				expect(tf.memory().numBytes - afterTuned).toBe(adam.bytes());
				adam.dispose();
				expect(tf.memory().numBytes).toBe(afterTuned);
				tuned.dispose();
				expect(tf.memory().numBytes).toBe(before);
			}
		);

		it.each(named)(
			'%s: the transient peak of a step lies within the bounds from the activations',
			async (_m, tuning) => {
				const t = trainerFor(c, base, tuning);
				try {
					expect(t.ledger().transientPeak).toBe(0);
					const peak = await t.measureStep();
					const lora =
						tuning.method === 'lora'
							? { rank: tuning.rank!, outDims: adapted(c.model).map((l) => l.outDim) }
							: undefined;
					const D = c.model.params.reduce((n, p) => n + sizeOf(p.shape), 0);
					const bounds = stepPeakBounds({
						activations: c.activations(lora),
						gradients: 4 * t.ledger().trainableParams,
						largestVariable: 4 * Math.max(...t.parameters.trainable.map((v) => v.variable.size)),
						largestWeight: 4 * Math.max(...c.model.linears.map((l) => l.inDim * l.outDim)),
						materialized: tuning.method === 'subspace' ? 4 * D : 0
					});
					expect(peak).toBeGreaterThanOrEqual(bounds.lower);
					expect(peak).toBeLessThanOrEqual(bounds.upper);
					expect(t.ledger().transientPeak).toBe(peak);
				} finally {
					t.dispose();
				}
			}
		);
	});

	it('the transformer’s frozen, trainable and Adam bytes: the memory model’s, plus the named extras', () => {
		const c = modelCases[0];
		const base = initWeights(c.model.params, createRng(7));
		for (const tuning of tunings) {
			if (tuning.method !== 'full' && tuning.method !== 'lora') continue;
			const t = trainerFor(c, base, tuning, 16);
			try {
				const m = t.ledger();
				const p = predictedLedger(arch, {
					method: tuning.method,
					rank: tuning.rank,
					targets: [...LORA_TARGETS],
					batchSize: 16,
					seqLen: 32
				});
				const gap = explainedGap(c, tuning);
				expect(m.trainableParams).toBe(p.trainableParams);
				expect(m.frozen - p.frozen).toBe(gap.frozen);
				expect(m.trainable - p.trainable).toBe(0);
				expect(m.optimizer - p.optimizer).toBe(gap.optimizer);
			} finally {
				t.dispose();
			}
		}
	});
});

describe('stepPeakBounds', () => {
	it('refuses a byte count that is negative or not finite', () => {
		const ok = { activations: 1, gradients: 1, largestVariable: 1, largestWeight: 1 };
		expect(stepPeakBounds(ok)).toEqual({ lower: 2, upper: 3 + 1 + 3 + 2 });
		expect(() => stepPeakBounds({ ...ok, activations: -1 })).toThrow(RangeError);
		expect(() => stepPeakBounds({ ...ok, materialized: NaN })).toThrow(RangeError);
		expect(() => stepPeakBounds({ ...ok, gradients: Infinity })).toThrow(RangeError);
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
