/**
 * Published transformer architectures for the memory model in `memory.ts`, transcribed from each
 * model's Hugging Face `config.json` (GPT-3 from Brown et al. 2020, Table 2.1). Each preset's
 * parameter total is asserted exactly in `tests/unit/math/memory.test.ts`; the count in a
 * preset's doc comment is what `countParameters` returns and what the model card publishes.
 */

import type { ModelArch } from './architecture';

/** GPT-2 family (Radford et al. 2019): learned positions, LayerNorm, biases, tied LM head. */
function gpt2(name: string, source: string, dModel: number, nLayers: number, nHeads: number) {
	return {
		name,
		source,
		kind: 'decoder',
		vocabSize: 50257,
		dModel,
		nLayers,
		nHeads,
		dFf: 4 * dModel,
		mlp: 'standard',
		lmHead: 'tied',
		positions: 'learned',
		maxPositions: 1024,
		attentionBias: true,
		mlpBias: true,
		norm: 'layernorm',
		normsPerLayer: 2,
		finalNorm: true
	} satisfies ModelArch;
}

/** BERT-style encoder (Devlin et al. 2019): post-LN, embedding LayerNorm, pooler, no LM head. */
function bert(
	name: string,
	source: string,
	vocabSize: number,
	dModel: number,
	nLayers: number,
	maxPositions: number,
	tokenTypes: number
) {
	return {
		name,
		source,
		kind: 'encoder',
		vocabSize,
		dModel,
		nLayers,
		nHeads: dModel / 64,
		dFf: 4 * dModel,
		mlp: 'standard',
		lmHead: 'none',
		positions: 'learned',
		maxPositions,
		tokenTypes,
		attentionBias: true,
		mlpBias: true,
		norm: 'layernorm',
		normsPerLayer: 2,
		finalNorm: false,
		embeddingNorm: true,
		pooler: true
	} satisfies ModelArch;
}

/**
 * What a LLaMA-style decoder (Touvron et al. 2023) fixes besides its sizes and its MLP: rotary
 * positions, RMSNorm before attention and MLP and after the last block, no biases, an untied head.
 */
export const LLAMA_STYLE = {
	kind: 'decoder',
	lmHead: 'untied',
	positions: 'rotary',
	attentionBias: false,
	mlpBias: false,
	norm: 'rmsnorm',
	normsPerLayer: 2,
	finalNorm: true
} as const satisfies Partial<ModelArch>;

/** LLaMA-style decoder (Touvron et al. 2023): RoPE, RMSNorm, SwiGLU, no biases, untied head. */
function llama(
	name: string,
	source: string,
	vocabSize: number,
	dModel: number,
	nLayers: number,
	nHeads: number,
	nKvHeads: number,
	dFf: number,
	maxPositions: number
) {
	return {
		name,
		source,
		...LLAMA_STYLE,
		vocabSize,
		dModel,
		nLayers,
		nHeads,
		nKvHeads,
		dFf,
		mlp: 'gated',
		maxPositions
	} satisfies ModelArch;
}

/** Preset table; exported below as `MODEL_PRESETS`, frozen and typed by id. */
const PRESETS = {
	gpt2: gpt2('GPT-2 (124M)', 'openai-community/gpt2', 768, 12, 12),
	'gpt2-medium': gpt2('GPT-2 Medium (355M)', 'openai-community/gpt2-medium', 1024, 24, 16),
	'gpt2-large': gpt2('GPT-2 Large (774M)', 'openai-community/gpt2-large', 1280, 36, 20),
	'gpt2-xl': gpt2('GPT-2 XL (1.5B)', 'openai-community/gpt2-xl', 1600, 48, 25),
	'bert-base': bert('BERT-base (uncased)', 'google-bert/bert-base-uncased', 30522, 768, 12, 512, 2),
	'bert-large': bert(
		'BERT-large (uncased)',
		'google-bert/bert-large-uncased',
		30522,
		1024,
		24,
		512,
		2
	),
	// RoBERTa reserves two position slots for the padding offset (514) and has one token type.
	'roberta-large': bert('RoBERTa-large', 'FacebookAI/roberta-large', 50265, 1024, 24, 514, 1),
	'llama-2-7b': llama(
		'Llama 2 7B',
		'meta-llama/Llama-2-7b-hf',
		32000,
		4096,
		32,
		32,
		32,
		11008,
		4096
	),
	'llama-2-13b': llama(
		'Llama 2 13B',
		'meta-llama/Llama-2-13b-hf',
		32000,
		5120,
		40,
		40,
		40,
		13824,
		4096
	),
	'llama-2-70b': llama(
		'Llama 2 70B',
		'meta-llama/Llama-2-70b-hf',
		32000,
		8192,
		80,
		64,
		8,
		28672,
		4096
	),
	'llama-3-8b': llama(
		'Llama 3 8B',
		'meta-llama/Meta-Llama-3-8B',
		128256,
		4096,
		32,
		32,
		8,
		14336,
		8192
	),
	'llama-3-70b': llama(
		'Llama 3 70B',
		'meta-llama/Meta-Llama-3-70B',
		128256,
		8192,
		80,
		64,
		8,
		28672,
		8192
	),
	'mistral-7b': llama(
		'Mistral 7B',
		'mistralai/Mistral-7B-v0.1',
		32000,
		4096,
		32,
		32,
		8,
		14336,
		32768
	),
	// Phi-2 runs attention and MLP in parallel off one LayerNorm, with partial rotary embeddings.
	'phi-2': {
		name: 'Phi-2 (2.7B)',
		source: 'microsoft/phi-2',
		kind: 'decoder',
		vocabSize: 51200,
		dModel: 2560,
		nLayers: 32,
		nHeads: 32,
		dFf: 10240,
		mlp: 'standard',
		lmHead: 'untied',
		lmHeadBias: true,
		positions: 'rotary',
		maxPositions: 2048,
		attentionBias: true,
		mlpBias: true,
		norm: 'layernorm',
		normsPerLayer: 1,
		finalNorm: true
	},
	'gpt-3-175b': {
		name: 'GPT-3 (175B)',
		source: 'Brown et al. 2020, Table 2.1',
		kind: 'decoder',
		vocabSize: 50257,
		dModel: 12288,
		nLayers: 96,
		nHeads: 96,
		dHead: 128,
		dFf: 4 * 12288,
		mlp: 'standard',
		lmHead: 'tied',
		positions: 'learned',
		maxPositions: 2048,
		attentionBias: true,
		mlpBias: true,
		norm: 'layernorm',
		normsPerLayer: 2,
		finalNorm: true
	}
} satisfies Record<string, ModelArch>;

/** Id of a built-in preset. */
export type PresetId = keyof typeof PRESETS;

/**
 * Built-in model presets keyed by a short id, frozen. Parameter totals (exact, from `countParameters`):
 *
 * | id            | parameters      | config source                     |
 * | ------------- | --------------- | --------------------------------- |
 * | gpt2          | 124,439,808     | openai-community/gpt2             |
 * | gpt2-medium   | 354,823,168     | openai-community/gpt2-medium      |
 * | gpt2-large    | 774,030,080     | openai-community/gpt2-large       |
 * | gpt2-xl       | 1,557,611,200   | openai-community/gpt2-xl          |
 * | bert-base     | 109,482,240     | google-bert/bert-base-uncased     |
 * | bert-large    | 335,141,888     | google-bert/bert-large-uncased    |
 * | roberta-large | 355,359,744     | FacebookAI/roberta-large          |
 * | llama-2-7b    | 6,738,415,616   | meta-llama/Llama-2-7b-hf          |
 * | llama-2-13b   | 13,015,864,320  | meta-llama/Llama-2-13b-hf         |
 * | llama-2-70b   | 68,976,648,192  | meta-llama/Llama-2-70b-hf         |
 * | llama-3-8b    | 8,030,261,248   | meta-llama/Meta-Llama-3-8B        |
 * | llama-3-70b   | 70,553,706,496  | meta-llama/Meta-Llama-3-70B       |
 * | mistral-7b    | 7,241,732,096   | mistralai/Mistral-7B-v0.1         |
 * | phi-2         | 2,779,683,840   | microsoft/phi-2                   |
 * | gpt-3-175b    | 174,604,259,328 | Brown et al. 2020, Table 2.1      |
 *
 * Encoders count the bare `BertModel`/`RobertaModel` (with pooler, without the MLM head), as their
 * model cards do. GPT-3's alternating sparse attention adds no parameters; the paper's "175.0B"
 * is 0.23% above this count, which Table 2.1's shapes give exactly.
 */
export const MODEL_PRESETS: Readonly<Record<string, Readonly<ModelArch>>> = Object.freeze(
	Object.fromEntries(Object.entries(PRESETS).map(([id, arch]) => [id, Object.freeze({ ...arch })]))
);

/** Preset ids in display order (smallest family member first). */
export const PRESET_IDS = Object.keys(PRESETS) as PresetId[];

/**
 * Architectures the papers report on that are not presets: LLaMA-65B (Touvron et al. 2023,
 * Table 2), the model of QLoRA's "65B in under 48 GB" (Dettmers et al. 2023). 65,285,660,672
 * parameters.
 */
export const PAPER_MODELS = Object.freeze({
	'llama-65b': Object.freeze(
		llama('LLaMA 65B', 'Touvron et al. 2023, Table 2', 32000, 8192, 80, 64, 64, 22016, 2048)
	)
}) satisfies Readonly<Record<string, Readonly<ModelArch>>>;
