/**
 * What lesson 1's figure needs to show the fix beside the problem: the memory to fine-tune each
 * landmark model with LoRA or QLoRA, counted by the course's memory model (`$lib/math/memory`),
 * and a 7B model, the size people actually fine-tune on one accelerator.
 *
 * Like the figure's full fine-tuning mode, these count model state only (weights, gradients,
 * optimizer state), not activations. The frozen base is the model's published parameter count Ψ,
 * so the three training modes agree on the model; the shapes below only say how many parameters
 * the adapters train and which of Ψ QLoRA leaves in 16 bits (embeddings, LM head, norms, biases).
 * For the models the course already has presets for, the result equals `estimateTrainingMemory`
 * exactly when Ψ is the preset's own count (tests/unit/lessons/growthFineTune.test.ts).
 */
import type { LandmarkModel } from '$lib/data/landmarks';
import { parameterBreakdown, type ModelArch } from '$lib/math/architecture';
import { modelStateBytes } from '$lib/math/memory';
import { MODEL_PRESETS, PAPER_MODELS } from '$lib/math/memoryPresets';
import { methodParameters } from '$lib/math/setup';

const arxiv = (id: string) => `https://arxiv.org/abs/${id}`;

/**
 * Llama 2 7B (Touvron et al. 2023b): 6,738,415,616 parameters as the released config gives them
 * (the paper's Table 1 rounds to 7B), the same model as lesson 3's calculator preset and the
 * course summary. Released with the rest of Llama 2 in July 2023.
 */
export const LLAMA2_7B: LandmarkModel = {
	id: 'llama2-7b',
	name: 'Llama 2 7B',
	short: 'Llama 2 7B',
	released: '2023-07',
	params: 6_738_415_616,
	nLayers: 32,
	dModel: 4096,
	nHeads: 32,
	nKvHeads: 32,
	dHead: 128,
	context: 4096,
	sources: [
		{ label: 'Touvron et al. 2023b, Table 1 (7B, 4k context)', url: arxiv('2307.09288') },
		{
			label: 'released config (6,738,415,616 parameters)',
			url: 'https://huggingface.co/meta-llama/Llama-2-7b-hf/blob/main/config.json'
		}
	]
};

/** A decoder in the style of GPT-3 and Gopher: LayerNorm-style blocks with a 4·d_model MLP. */
function dense(m: LandmarkModel, vocabSize: number, source: string): ModelArch {
	return {
		name: m.name,
		source,
		kind: 'decoder',
		vocabSize,
		dModel: m.dModel,
		nLayers: m.nLayers,
		nHeads: m.nHeads,
		nKvHeads: m.nKvHeads,
		dHead: m.dHead,
		dFf: 4 * m.dModel,
		mlp: 'standard',
		lmHead: 'tied',
		positions: 'rotary',
		maxPositions: m.context,
		attentionBias: false,
		mlpBias: false,
		norm: 'rmsnorm',
		normsPerLayer: 2,
		finalNorm: true
	};
}

/**
 * The architecture behind each landmark model: the course's presets where it has them, otherwise
 * built from the paper's table. Gopher and Chinchilla's papers give layers, heads and widths but
 * not the MLP width; 4·d_model is assumed, which moves QLoRA's adapter count and nothing else
 * (well under 1% of either total). Their 32,000-token vocabulary is Rae et al.'s §3.
 */
export function archOf(m: LandmarkModel): ModelArch {
	switch (m.id) {
		case 'gpt2':
			return MODEL_PRESETS['gpt2-xl'];
		case 'gpt3':
			return MODEL_PRESETS['gpt-3-175b'];
		case 'gopher':
			return dense(m, 32_000, 'Rae et al. 2021, Table 1 (d_ff = 4·d_model assumed)');
		case 'chinchilla':
			return dense(m, 32_000, 'Hoffmann et al. 2022, Table 4 (d_ff = 4·d_model assumed)');
		case 'palm':
			// SwiGLU with d_ff = 4·d_model, multi-query attention, shared input-output embeddings (§2).
			return {
				...dense(m, 256_000, 'Chowdhery et al. 2022, Table 1 and §2'),
				mlp: 'gated',
				dFf: 4 * m.dModel
			};
		case 'llama':
			return PAPER_MODELS['llama-65b'];
		case 'llama2':
			return MODEL_PRESETS['llama-2-70b'];
		case 'llama3':
			return MODEL_PRESETS['llama-3-70b'];
		case 'llama31':
			return {
				...MODEL_PRESETS['llama-3-70b'],
				name: m.name,
				source: 'Dubey et al. 2024, Table 3',
				vocabSize: 128_000,
				dModel: m.dModel,
				nLayers: m.nLayers,
				nHeads: m.nHeads,
				nKvHeads: m.nKvHeads,
				dFf: 53_248,
				maxPositions: m.context
			};
		case 'llama2-7b':
			return MODEL_PRESETS['llama-2-7b'];
		default:
			throw new Error(`lesson 1: no architecture for the model "${m.id}"`);
	}
}

/** The two parameter-efficient ways the figure counts. */
export type PeftMode = 'lora' | 'qlora';

/** Model state of one fine-tune, in bytes, and the parameters it trains. */
export interface PeftState {
	/** Frozen base plus the adapters' own weights. */
	weights: number;
	gradients: number;
	optimizer: number;
	/** weights + gradients + optimizer (activations not counted). */
	total: number;
	/** Parameters that receive gradients. */
	trainable: number;
}

/**
 * Model state to fine-tune `m` with the memory model's default LoRA (r = 8 on W_q and W_v,
 * mixed-precision Adam: 16 bytes per trained parameter, base frozen in 16 bits) or QLoRA (base's
 * layer matrices in 4-bit NF4 with double-quantised scales, the rest in 16 bits; r = 64 on every
 * linear layer; adapters in 16 bits with Adam's fp32 moments and no master copy).
 * @param params Ψ, the base's parameter count (default: the published `m.params`)
 */
export function peftState(m: LandmarkModel, mode: PeftMode, params = m.params): PeftState {
	const arch = archOf(m);
	const counts = methodParameters(arch, { method: mode });
	const parts = parameterBreakdown(arch);
	const kept16 = parts.total - parts.layerMatrices;
	const { weights, gradients, optimizer } = modelStateBytes(
		{ total: params, layerMatrices: params - kept16 },
		counts,
		{ method: mode, precision: 'mixed', optimizer: 'adam' }
	);
	return {
		weights,
		gradients,
		optimizer,
		total: weights + gradients + optimizer,
		trainable: counts.trainable
	};
}
