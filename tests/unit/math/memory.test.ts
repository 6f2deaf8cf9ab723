import { describe, expect, it } from 'vitest';
import {
	DOUBLE_QUANT_BITS,
	LLAMA_STYLE,
	MODEL_PRESETS,
	METHODS,
	PRESET_IDS,
	activationBytes,
	countParameters,
	estimateTrainingFlops,
	estimateTrainingMemory,
	methodParameters,
	parameterBreakdown,
	shardModelStates,
	trainingFlopsBreakdown,
	validateArch,
	validateArchMessages,
	validateSetup,
	validateSetupMessages,
	type ModelArch,
	type TrainingSetup
} from '../../../src/lib/math/memory';

const GB = 1e9;

/** Published totals: Hugging Face model cards / `model.num_parameters()` of each config. */
const PUBLISHED_TOTALS: Record<string, number> = {
	gpt2: 124_439_808,
	'gpt2-medium': 354_823_168,
	'gpt2-large': 774_030_080,
	'gpt2-xl': 1_557_611_200,
	'bert-base': 109_482_240,
	'bert-large': 335_141_888,
	'roberta-large': 355_359_744,
	'llama-2-7b': 6_738_415_616,
	'llama-2-13b': 13_015_864_320,
	'llama-2-70b': 68_976_648_192,
	'llama-3-8b': 8_030_261_248,
	'llama-3-70b': 70_553_706_496,
	'mistral-7b': 7_241_732_096,
	'phi-2': 2_779_683_840
};

/** LLaMA-65B shape (Touvron et al. 2023, Table 2), built by hand as a custom architecture. */
const LLAMA_65B: ModelArch = {
	name: 'LLaMA-65B-like',
	...LLAMA_STYLE,
	vocabSize: 32000,
	dModel: 8192,
	nLayers: 80,
	nHeads: 64,
	dFf: 22016,
	mlp: 'gated',
	maxPositions: 2048
};

const gpt2 = MODEL_PRESETS['gpt2'];
const gpt3 = MODEL_PRESETS['gpt-3-175b'];

describe('countParameters', () => {
	it.each(Object.entries(PUBLISHED_TOTALS))('%s has its published total', (id, total) => {
		expect(countParameters(MODEL_PRESETS[id])).toBe(total);
	});

	it('covers every preset', () => {
		expect([...Object.keys(PUBLISHED_TOTALS), 'gpt-3-175b'].sort()).toEqual([...PRESET_IDS].sort());
	});

	it('gives GPT-3 (Table 2.1 shapes) 174,604,259,328 parameters, within 0.5% of 175.0B', () => {
		const n = countParameters(gpt3);
		expect(n).toBe(174_604_259_328);
		expect(Math.abs(n - 175e9) / 175e9).toBeLessThan(0.005);
	});

	it('matches the closed forms V·d + P·d + L(12d² + 13d) + 2d (GPT-2) and LLaMA-65B', () => {
		const [d, L] = [1600, 48];
		expect(countParameters(MODEL_PRESETS['gpt2-xl'])).toBe(
			50257 * d + 1024 * d + L * (12 * d * d + 13 * d) + 2 * d
		);
		const n65 = 2 * 32000 * 8192 + 80 * (4 * 8192 ** 2 + 3 * 8192 * 22016 + 2 * 8192) + 8192;
		expect(countParameters(LLAMA_65B)).toBe(n65);
		expect(n65).toBe(65_285_660_672);
	});

	it('breaks the total into parts that sum to it, with BitFit biases counted', () => {
		for (const id of PRESET_IDS) {
			const p = parameterBreakdown(MODEL_PRESETS[id]);
			expect(p.embeddings + p.layerMatrices + p.layerBiases + p.norms + p.lmHead + p.pooler).toBe(
				p.total
			);
		}
		// BERT-base: per layer q,k,v,o (4·768) + up (3072) + down (768) + two LayerNorm β (2·768),
		// plus the embedding LayerNorm β and the pooler bias.
		expect(parameterBreakdown(MODEL_PRESETS['bert-base']).biases).toBe(
			12 * (4 * 768 + 3072 + 768 + 2 * 768) + 768 + 768
		);
		expect(parameterBreakdown(MODEL_PRESETS['llama-2-7b']).biases).toBe(0);
	});
});

describe('validation', () => {
	const bad: [Partial<ModelArch>, RegExp][] = [
		[{ nLayers: 2.5 }, /nLayers must be a whole number ≥ 1, got 2\.5/],
		[{ nLayers: 0 }, /nLayers/],
		[{ nLayers: -3 }, /nLayers/],
		[{ dModel: Number.NaN }, /dModel .*NaN/],
		[{ vocabSize: Number.POSITIVE_INFINITY }, /vocabSize .*Infinity/],
		[{ dFf: 1e12 }, /dFf must be at most/],
		[{ nKvHeads: 5 }, /nKvHeads must divide nHeads/],
		[{ nHeads: 7 }, /nHeads must divide dModel/],
		[{ mlp: 'swiglu' as 'gated' }, /mlp must be one of/],
		[{ nLayers: 10_000, dModel: 2 ** 20, dFf: 2 ** 20, nHeads: 16 }, /parameters, more than/]
	];

	it.each(bad)('rejects %o with a message naming the field', (patch, message) => {
		const arch = { ...gpt2, ...patch };
		expect(() => countParameters(arch)).toThrow(RangeError);
		expect(() => validateArch(arch)).toThrow(message);
		expect(validateArchMessages(arch).join('\n')).toMatch(message);
	});

	it('lists every bad field without throwing, and nothing for a valid arch', () => {
		expect(validateArchMessages({ ...gpt2, nLayers: -1, dModel: 0.5 })).toHaveLength(2);
		expect(validateArchMessages(LLAMA_65B)).toEqual([]);
		expect(() => validateArch(LLAMA_65B)).not.toThrow();
	});

	const badSetups: [TrainingSetup, RegExp][] = [
		[{ method: 'full', batchSize: 0 }, /batchSize/],
		[{ method: 'full', seqLen: Number.NaN }, /seqLen/],
		[{ method: 'full', seqLen: 2048 }, /maxPositions \(1024\)/],
		[{ method: 'prompt', seqLen: 1024, prefixLength: 20 }, /seqLen \+ prefixLength/],
		[{ method: 'full', devices: 0 }, /devices/],
		[{ method: 'full', zeroStage: 4 as 3 }, /zeroStage/],
		[{ method: 'lora', rank: 2.5 }, /rank/],
		[{ method: 'lora', rank: 1000 }, /rank must be at most min\(d, k\) = 768/],
		[{ method: 'lora', alpha: -1 }, /alpha/],
		[{ method: 'lora', targets: ['gate'] }, /'gate' is not a matrix/],
		[{ method: 'lora', targets: [] }, /targets/],
		[{ method: 'adapter', adapterSize: -64 }, /adapterSize/],
		[{ method: 'ssm' as 'full' }, /method must be one of/]
	];

	it.each(badSetups)('rejects setup %o', (setup, message) => {
		expect(() => estimateTrainingMemory(gpt2, setup)).toThrow(message);
		expect(() => estimateTrainingFlops(gpt2, setup)).toThrow(RangeError);
		expect(validateSetupMessages(gpt2, setup).join('\n')).toMatch(message);
	});

	it('accepts a valid setup', () => {
		expect(validateSetupMessages(gpt2, { method: 'lora', targets: ['q', 'v'] })).toEqual([]);
		expect(() => validateSetup(LLAMA_65B, { method: 'qlora' })).not.toThrow();
	});
});

describe('ZeRO (Rajbhandari et al. 2019, Figure 1: Ψ = 7.5B, N_d = 64)', () => {
	const psi = 7.5e9;
	const states = { weights: 2 * psi, gradients: 2 * psi, optimizer: 12 * psi };
	const perDevice = (stage: 0 | 1 | 2 | 3) => {
		const s = shardModelStates(states, stage, 64);
		return (s.weights + s.gradients + s.optimizer) / GB;
	};

	it('gives 120, 31.4, 16.6 and 1.9 GB per device for stages 0–3', () => {
		expect(perDevice(0)).toBeCloseTo(120, 1);
		expect(perDevice(1)).toBeCloseTo(31.4, 1);
		expect(perDevice(2)).toBeCloseTo(16.6, 1);
		expect(perDevice(3)).toBeCloseTo(1.9, 1);
	});

	it('is what estimateTrainingMemory gives for full mixed-precision Adam', () => {
		const arch = MODEL_PRESETS['llama-2-7b'];
		const n = countParameters(arch);
		const states = (zeroStage: 0 | 1 | 2 | 3) => {
			const m = estimateTrainingMemory(arch, { method: 'full', zeroStage, devices: 64 });
			return m.weights + m.gradients + m.optimizer;
		};
		expect(states(0)).toBe(16 * n);
		expect(states(1)).toBeCloseTo(4 * n + (12 * n) / 64, 0);
		expect(states(2)).toBeCloseTo(2 * n + (14 * n) / 64, 0);
		expect(states(3)).toBeCloseTo((16 * n) / 64, 0);
	});
});

describe('full fine-tuning bytes per parameter', () => {
	const n = countParameters(gpt2);
	const perParam = (setup: TrainingSetup) => {
		const m = estimateTrainingMemory(gpt2, setup);
		return (m.weights + m.gradients + m.optimizer) / n;
	};
	it.each([
		['mixed', 'adam', 16],
		['fp32', 'adam', 16],
		['mixed', 'adam8bit', 10],
		['fp32', 'adam8bit', 10],
		['mixed', 'sgd', 8],
		['fp32', 'sgd', 8]
	] as const)('%s + %s = %d B', (precision, optimizer, bytes) => {
		expect(perParam({ method: 'full', precision, optimizer })).toBeCloseTo(bytes, 10);
	});
	it('keeps the weights at 2 B (mixed) or 4 B (fp32) and checkpoints them', () => {
		expect(estimateTrainingMemory(gpt2, { method: 'full' }).weights).toBe(2 * n);
		expect(estimateTrainingMemory(gpt2, { method: 'full', precision: 'fp32' }).weights).toBe(4 * n);
		expect(estimateTrainingMemory(gpt3, { method: 'full' }).checkpointBytes / GB).toBeCloseTo(
			349.2,
			1
		);
	});
});

describe('LoRA on GPT-3 175B (Hu et al. 2021)', () => {
	const lora = (rank: number) =>
		estimateTrainingMemory(gpt3, { method: 'lora', rank, targets: ['q', 'v'] });

	it('trains r·(d + k) per matrix: 18.9M at r = 4 on W_q, W_v (Table 5: 18M)', () => {
		expect(lora(4).trainableParams).toBe(4 * (12288 + 12288) * 2 * 96);
		expect(lora(4).trainableParams).toBe(18_874_368);
	});

	it('gives Table 4’s 4.7M (r = 1) and 37.7M (r = 8) on W_q, W_v', () => {
		expect(lora(1).trainableParams / 1e6).toBeCloseTo(4.7, 1);
		expect(lora(8).trainableParams / 1e6).toBeCloseTo(37.7, 1);
	});

	it('shrinks the checkpoint from ~350 GB to ~35 MB, roughly 10,000×', () => {
		const full = estimateTrainingMemory(gpt3, { method: 'full' }).checkpointBytes;
		const small = lora(4).checkpointBytes;
		expect(small).toBe(18_874_368 * 2);
		expect(small).toBeGreaterThan(30e6);
		expect(small).toBeLessThan(40e6);
		expect(full / small).toBeGreaterThan(5_000);
		expect(full / small).toBeLessThan(20_000);
	});

	it('needs ~350 GB of model state (the frozen 16-bit weights) instead of 16 B/param', () => {
		const m = lora(4);
		expect((m.weights + m.gradients + m.optimizer) / GB).toBeCloseTo(349.5, 0);
		const full = estimateTrainingMemory(gpt3, { method: 'full' });
		expect((full.weights + full.gradients + full.optimizer) / GB).toBeGreaterThan(2700);
	});

	it('saves no activation memory', () => {
		const full = estimateTrainingMemory(gpt3, { method: 'full', seqLen: 2048 });
		expect(estimateTrainingMemory(gpt3, { method: 'lora', seqLen: 2048 }).activations).toBe(
			full.activations
		);
	});

	it('counts GQA k/v as d_model × n_kv_heads·d_head (PEFT reports 3,407,872 for Llama 3 8B)', () => {
		const m = methodParameters(MODEL_PRESETS['llama-3-8b'], { method: 'lora', rank: 8 });
		expect(m.trainable).toBe(32 * 8 * (4096 + 4096 + 4096 + 1024));
		expect(m.trainable).toBe(3_407_872);
		expect(methodParameters(MODEL_PRESETS['llama-2-7b'], { method: 'lora' }).trainable).toBe(
			4_194_304
		);
	});
});

describe('QLoRA on a 65B model (Dettmers et al. 2023)', () => {
	const setup: TrainingSetup = { method: 'qlora', gradientCheckpointing: true, seqLen: 512 };

	it('uses 0.127 bits per parameter for double-quantised scales', () => {
		expect(DOUBLE_QUANT_BITS).toBeCloseTo(0.127, 3);
	});

	it('fits in under 48 GB, where full fine-tuning needs more than 780 GB', () => {
		const q = estimateTrainingMemory(LLAMA_65B, setup);
		const full = estimateTrainingMemory(LLAMA_65B, { method: 'full', seqLen: 512 });
		expect(q.total / GB).toBeLessThan(48);
		expect(q.total / GB).toBeGreaterThan(35);
		expect(full.total / GB).toBeGreaterThan(780);
	});

	it('stores layer matrices in 4.127 bits, the rest in 16-bit, adapters at 2 + 2 + 8 B', () => {
		const q = estimateTrainingMemory(LLAMA_65B, setup);
		const matrices = 80 * (4 * 8192 ** 2 + 3 * 8192 * 22016);
		const rest = 65_285_660_672 - matrices;
		const adapters = 80 * 64 * (4 * 2 * 8192 + 3 * (8192 + 22016));
		expect(q.trainableParams).toBe(adapters);
		expect(q.weights).toBeCloseTo((matrices * 4.126953125) / 8 + rest * 2 + adapters * 2, 0);
		expect(q.gradients).toBe(adapters * 2);
		expect(q.optimizer).toBe(adapters * 8);
		expect(q.checkpointBytes).toBe(adapters * 2);
	});
});

describe('other PEFT methods’ trainable parameters', () => {
	it('prefix tuning: prefixLength · 2 · n_layers · d_kv, plus the MLP when reparameterised', () => {
		expect(methodParameters(gpt2, { method: 'prefix', prefixLength: 10 }).trainable).toBe(
			10 * 2 * 12 * 768
		);
		expect(
			methodParameters(MODEL_PRESETS['llama-3-8b'], { method: 'prefix', prefixLength: 10 })
				.trainable
		).toBe(10 * 2 * 32 * 1024);
		const mlp = methodParameters(gpt2, { method: 'prefix', prefixLength: 10, prefixHidden: 512 });
		expect(mlp.trainable).toBe(10 * 768 + 768 * 512 + 512 + 512 * 18432 + 18432);
		expect(mlp.shipped).toBe(10 * 2 * 12 * 768);
	});

	it('prompt tuning: prefixLength · d_model', () => {
		expect(
			methodParameters(MODEL_PRESETS['llama-2-7b'], { method: 'prompt', prefixLength: 20 })
				.trainable
		).toBe(20 * 4096);
	});

	it('BitFit: biases only, none for LLaMA', () => {
		const bert = estimateTrainingMemory(MODEL_PRESETS['bert-large'], { method: 'bitfit' });
		expect(bert.trainableParams / bert.baseParams).toBeCloseTo(0.0008, 4);
		const llama = estimateTrainingMemory(MODEL_PRESETS['llama-2-7b'], { method: 'bitfit' });
		expect(llama.trainableParams).toBe(0);
		expect(llama.gradients).toBe(0);
		expect(llama.optimizer).toBe(0);
	});

	it('(IA)³: l_k, l_v (d_kv) and l_ff (d_ff) per layer', () => {
		expect(methodParameters(MODEL_PRESETS['llama-2-7b'], { method: 'ia3' }).trainable).toBe(
			32 * (2 * 4096 + 11008)
		);
		expect(methodParameters(MODEL_PRESETS['llama-3-8b'], { method: 'ia3' }).trainable).toBe(
			32 * (2 * 1024 + 14336)
		);
	});

	it('adapters: two per layer of 2·d·m + m + d', () => {
		expect(
			methodParameters(MODEL_PRESETS['bert-base'], { method: 'adapter', adapterSize: 64 }).trainable
		).toBe(12 * 2 * (2 * 768 * 64 + 64 + 768));
	});
});

describe('every method on every preset', () => {
	const cases = PRESET_IDS.flatMap((id) => METHODS.map((method) => [id, method] as const));
	it.each(cases)('%s / %s: finite, non-negative, parts sum to total', (id, method) => {
		const arch = MODEL_PRESETS[id];
		const m = estimateTrainingMemory(arch, { method, seqLen: 256, batchSize: 2 });
		const parts = [m.weights, m.gradients, m.optimizer, m.activations];
		for (const v of [...parts, m.total, m.trainableParams, m.checkpointBytes]) {
			expect(Number.isFinite(v)).toBe(true);
			expect(v).toBeGreaterThanOrEqual(0);
		}
		expect(m.total).toBeCloseTo(
			parts.reduce((a, b) => a + b),
			0
		);
		expect(m.trainableParams).toBeLessThanOrEqual(m.totalParams);
		const full = estimateTrainingMemory(arch, { method: 'full', seqLen: 256, batchSize: 2 });
		if (method !== 'full') {
			expect(m.gradients + m.optimizer).toBeLessThan(full.gradients + full.optimizer);
			expect(m.checkpointBytes).toBeLessThan(full.checkpointBytes / 10);
		}
	});
});

describe('activations (Korthikanti et al. 2022)', () => {
	it('is s·b·h·(34 + 5·a·s/h) per layer, 2·s·b·h with full recomputation', () => {
		const s = 1024;
		const h = 768;
		expect(activationBytes(gpt2, { method: 'full', seqLen: s })).toBe(
			12 * s * h * (34 + (5 * 12 * s) / h)
		);
		expect(
			activationBytes(gpt2, {
				method: 'full',
				seqLen: s,
				batchSize: 4,
				gradientCheckpointing: true
			})
		).toBe(12 * 2 * s * 4 * h);
	});

	it('keeps 4·a·s·b softmax statistics instead of the 5·a·s²·b scores under FlashAttention', () => {
		const s = 1024;
		const h = 768;
		expect(activationBytes(gpt2, { method: 'full', seqLen: s, flashAttention: true })).toBe(
			12 * (34 * s * h + 4 * 12 * s)
		);
		// Llama 2 7B at 8 × 4,096 tokens: the textbook count is mostly the s×s matrices.
		const llama = MODEL_PRESETS['llama-2-7b'];
		const run = { method: 'full', batchSize: 8, seqLen: 4096 } as const;
		const textbook = activationBytes(llama, run);
		const flash = activationBytes(llama, { ...run, flashAttention: true });
		expect(textbook / 1e9).toBeCloseTo(833.0, 0);
		expect((textbook - flash) / 1e9).toBeGreaterThan(680);
		expect(flash / 1e9).toBeCloseTo(146.1, 0);
		expect(
			validateSetupMessages(llama, { ...run, flashAttention: 'yes' as unknown as boolean }).join()
		).toMatch(/flashAttention/);
	});

	it('is not sharded by ZeRO and grows with the prompt in prompt tuning', () => {
		const a = estimateTrainingMemory(gpt2, { method: 'full' }).activations;
		expect(
			estimateTrainingMemory(gpt2, { method: 'full', zeroStage: 3, devices: 8 }).activations
		).toBe(a);
		expect(estimateTrainingMemory(gpt2, { method: 'prompt' }).activations).toBeGreaterThan(a);
	});
});

describe('training FLOPs', () => {
	const arch = MODEL_PRESETS['llama-2-7b'];
	const n = countParameters(arch);
	const tokens = 4 * 512;

	it('is 6·N per token for full fine-tuning, plus 2·N with recomputation', () => {
		expect(estimateTrainingFlops(arch, { method: 'full', batchSize: 4 })).toBe(6 * n * tokens);
		expect(
			estimateTrainingFlops(arch, { method: 'full', batchSize: 4, gradientCheckpointing: true })
		).toBe(8 * n * tokens);
	});

	it('is 4·N + 6·N_lora per token for LoRA, about a third less than full', () => {
		const f = trainingFlopsBreakdown(arch, { method: 'lora', batchSize: 4 });
		const nLora = 4_194_304;
		expect(f.total).toBe((4 * n + 6 * nLora) * tokens);
		expect(f.backwardWeights).toBe(2 * nLora * tokens);
		const ratio = f.total / estimateTrainingFlops(arch, { method: 'full', batchSize: 4 });
		expect(ratio).toBeGreaterThan(0.66);
		expect(ratio).toBeLessThan(0.68);
	});
});
