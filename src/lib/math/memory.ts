/**
 * Memory model of fine-tuning a transformer: how many parameters an architecture has, how many of
 * them each fine-tuning method trains, and how many bytes of GPU memory the weights, gradients,
 * optimizer state and activations of one training step take on each device. It follows ZeRO
 * (Rajbhandari et al. 2019, arXiv 1910.02054) for model states and their sharding, Korthikanti et
 * al. 2022 (arXiv 2205.05198) for activations, and the method papers (LoRA, QLoRA, prefix and
 * prompt tuning, BitFit, (IA)³, adapters) for trainable parameters. Pure arithmetic: it runs the
 * same in Node, the browser and a worker. All byte counts are bytes (GB in the papers = 1e9 bytes).
 */

export { MODEL_PRESETS, PAPER_MODELS, PRESET_IDS } from './memoryPresets';
export type { PresetId } from './memoryPresets';

/** Fine-tuning method: full fine-tuning or one of the parameter-efficient families. */
export type Method = 'full' | 'lora' | 'qlora' | 'prefix' | 'prompt' | 'bitfit' | 'ia3' | 'adapter';

/** Every method, in the order the lessons introduce them. */
export const METHODS: readonly Method[] = [
	'full',
	'lora',
	'qlora',
	'prefix',
	'prompt',
	'bitfit',
	'ia3',
	'adapter'
];

/** A weight matrix inside a transformer layer that LoRA can adapt. */
export type TargetMatrix = 'q' | 'k' | 'v' | 'o' | 'gate' | 'up' | 'down';

/** All adaptable matrices; `gate` exists only in gated (SwiGLU) MLPs. */
export const TARGET_MATRICES: readonly TargetMatrix[] = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'];

/**
 * Shape of a transformer, decoder or encoder, with every choice that changes its parameter count.
 * Dimensions are counts (of tokens, features, heads, layers), not bytes.
 */
export interface ModelArch {
	/** Display name. */
	name?: string;
	/** Where the numbers come from (a Hugging Face repo id or a paper table). */
	source?: string;
	/**
	 * Decoder-only language model or bidirectional encoder (BERT, RoBERTa). A label only: the
	 * parameter count follows the fields below.
	 */
	kind: 'decoder' | 'encoder';
	/** Vocabulary size V (rows of the token embedding). */
	vocabSize: number;
	/** Hidden size d_model (h in Korthikanti et al.). */
	dModel: number;
	/** Number of transformer layers. */
	nLayers: number;
	/** Number of query heads (a in Korthikanti et al.). */
	nHeads: number;
	/** Key/value heads for grouped-query attention; default `nHeads` (multi-head attention). */
	nKvHeads?: number;
	/** Width of one head; default `dModel / nHeads`. */
	dHead?: number;
	/** Inner width of the MLP (d_ff; `intermediate_size` in Hugging Face configs). */
	dFf: number;
	/** `standard`: up → activation → down. `gated`: SwiGLU, down(act(gate·x) ⊙ up·x). */
	mlp: 'standard' | 'gated';
	/** Output projection to the vocabulary: shares the embedding, has its own matrix, or is absent. */
	lmHead: 'tied' | 'untied' | 'none';
	/** Whether the output projection has a bias of size V (Phi-2 does). */
	lmHeadBias?: boolean;
	/** `learned`: a maxPositions × d_model table. `rotary`: any parameter-free scheme (RoPE, ALiBi). */
	positions: 'learned' | 'rotary';
	/** Context length (size of the learned table; the trained context for rotary models). */
	maxPositions: number;
	/** Rows of the token-type (segment) embedding, BERT's `type_vocab_size`; default 0. */
	tokenTypes?: number;
	/** Biases on the q, k, v and output projections. */
	attentionBias: boolean;
	/** Biases on the MLP projections. */
	mlpBias: boolean;
	/** LayerNorm has a gain and a bias (2·d_model); RMSNorm only a gain (d_model). */
	norm: 'layernorm' | 'rmsnorm';
	/** Norms per layer: 2 for sequential attention then MLP, 1 for parallel blocks (Phi-2, GPT-J). */
	normsPerLayer: 1 | 2;
	/** A norm after the last layer (GPT-2 `ln_f`, LLaMA `norm`). */
	finalNorm: boolean;
	/** A norm on the summed embeddings (BERT). */
	embeddingNorm?: boolean;
	/** BERT's pooler: a d_model × d_model dense layer with bias on the first token. */
	pooler?: boolean;
}

/** One weight matrix of a layer, as y = x·W with W of shape [dIn, dOut]. */
export interface LayerMatrix {
	name: TargetMatrix;
	dIn: number;
	dOut: number;
}

/** Parameter counts of an architecture by part; `total` is their sum. Units: parameters. */
export interface ParameterBreakdown {
	/** Token, position and token-type embeddings. */
	embeddings: number;
	/** Weight matrices inside the transformer layers (the part QLoRA quantises). */
	layerMatrices: number;
	/** Bias vectors inside the layers. */
	layerBiases: number;
	/** Gains and biases of every norm (embedding, per-layer, final). */
	norms: number;
	/** Untied LM head matrix and any LM head bias. */
	lmHead: number;
	/** BERT pooler weight and bias. */
	pooler: number;
	/** Every bias vector in the model, norm biases included (what BitFit trains). */
	biases: number;
	/** Sum of embeddings, layerMatrices, layerBiases, norms, lmHead and pooler. */
	total: number;
}

/** One fine-tuning run. Optional fields take the defaults in `SETUP_DEFAULTS`. */
export interface TrainingSetup {
	method: Method;
	/** `mixed`: 16-bit weights and gradients with an fp32 master copy (ZeRO's setting). */
	precision?: 'fp32' | 'mixed';
	/** `adam` (fp32 moments), `adam8bit` (Dettmers et al. 2022, 1 byte per moment) or `sgd`. */
	optimizer?: 'adam' | 'adam8bit' | 'sgd';
	/** LoRA/QLoRA rank r. */
	rank?: number;
	/** LoRA/QLoRA scale numerator α (the update is scaled by α/r); does not change memory. */
	alpha?: number;
	/** Matrices LoRA/QLoRA adapt in every layer. */
	targets?: TargetMatrix[];
	/** Sequences per device per step. */
	batchSize?: number;
	/** Tokens per sequence. */
	seqLen?: number;
	/** Full activation recomputation: keep only each layer's input. */
	gradientCheckpointing?: boolean;
	/**
	 * Attention computed by FlashAttention (Dao et al. 2022), which never stores the a×s×s
	 * scores or probabilities: the backward pass recomputes them from Q, K, V and each row's
	 * softmax statistics. Off by default, as in Korthikanti et al.'s textbook count.
	 */
	flashAttention?: boolean;
	/** ZeRO stage: 0 none, 1 optimizer state, 2 + gradients, 3 + parameters sharded. */
	zeroStage?: 0 | 1 | 2 | 3;
	/** Data-parallel devices N_d that ZeRO shards over. */
	devices?: number;
	/** Prefix tuning: virtual tokens per layer. Prompt tuning: soft prompt tokens. */
	prefixLength?: number;
	/** Prefix tuning: hidden width of Li & Liang's reparameterisation MLP; 0 (default) = none. */
	prefixHidden?: number;
	/** Adapters: bottleneck width m. */
	adapterSize?: number;
}

/** Setup with every default filled in. */
export type ResolvedSetup = Required<TrainingSetup>;

/** Memory of one training step on one device, in bytes, and the parameter counts behind it. */
export interface MemoryBreakdown {
	/** Parameters held for the forward pass (frozen base and trainable, at storage precision). */
	weights: number;
	/** Gradients of the trainable parameters. */
	gradients: number;
	/** Optimizer state: fp32 master copy (mixed precision) and the optimizer's moments. */
	optimizer: number;
	/** Activations saved for the backward pass. */
	activations: number;
	/** weights + gradients + optimizer + activations. */
	total: number;
	/** Parameters that receive gradients. */
	trainableParams: number;
	/** Parameters of the base model plus any the method adds. */
	totalParams: number;
	/** Parameters of the base model alone (`countParameters`). */
	baseParams: number;
	/** Size of the fine-tuned artefact one saves and ships (not a resumable training state). */
	checkpointBytes: number;
}

/** Bytes per parameter at each storage precision (SCIENCE.md, "Memory of training"). */
export const BYTES_PER_PARAM = { fp32: 4, fp16: 2, int8: 1, nf4: 0.5 } as const;

/** ZeRO's K for mixed-precision Adam: fp32 master weights, momentum and variance, bytes/param. */
export const ADAM_MIXED_K = 12;

/** QLoRA NF4 block size (parameters per first-level absmax constant); Dettmers et al. 2023. */
export const NF4_BLOCK = 64;

/** QLoRA double quantisation: first-level constants per second-level fp32 constant. */
export const DOUBLE_QUANT_BLOCK = 256;

/**
 * Overhead of QLoRA's double-quantised scales in bits per parameter: 8/64 + 32/(64·256)
 * = 0.126953125 ≈ 0.127 (Dettmers et al. 2023, §3), instead of 32/64 = 0.5 for fp32 scales.
 */
export const DOUBLE_QUANT_BITS = 8 / NF4_BLOCK + 32 / (NF4_BLOCK * DOUBLE_QUANT_BLOCK);

/** Bytes per parameter of a QLoRA-quantised weight: (4 + 0.127) / 8 ≈ 0.516. */
export const NF4_BYTES_PER_PARAM = (4 + DOUBLE_QUANT_BITS) / 8;

/** Largest parameter count the model accepts (10 trillion); beyond it a setup is a typo. */
export const MAX_PARAMS = 1e13;

/**
 * Defaults for optional setup fields. LoRA follows Hu et al. 2021 (§7: small r on W_q and W_v);
 * QLoRA overrides rank and targets to its paper's recipe (r = 64 on every linear layer, see
 * `resolveSetup`). Prefix and prompt length 20 and adapter width 64 are common PEFT settings.
 */
export const SETUP_DEFAULTS = {
	precision: 'mixed',
	optimizer: 'adam',
	rank: 8,
	targets: ['q', 'v'],
	batchSize: 1,
	seqLen: 512,
	gradientCheckpointing: false,
	flashAttention: false,
	zeroStage: 0,
	devices: 1,
	prefixLength: 20,
	prefixHidden: 0,
	adapterSize: 64
} as const satisfies Partial<TrainingSetup>;

/** QLoRA's own defaults (Dettmers et al. 2023, §4: r = 64, α = 16, all linear layers). */
export const QLORA_DEFAULTS = { rank: 64, alpha: 16 } as const;

const MAX_DIM = 2 ** 20;
const MAX_LAYERS = 10_000;
const MAX_VOCAB = 1e8;
const MAX_POSITIONS = 1e8;
const MAX_BATCH = 1e6;
const MAX_DEVICES = 1e6;

function wholeIssue(field: string, value: unknown, min: number, max: number): string | null {
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
		return `${field} must be a whole number ≥ ${min}, got ${String(value)}`;
	}
	if (value > max) return `${field} must be at most ${max.toLocaleString('en-US')}, got ${value}`;
	return null;
}

function oneOf<T>(field: string, value: unknown, allowed: readonly T[]): string | null {
	return allowed.includes(value as T)
		? null
		: `${field} must be one of ${allowed.map((a) => `'${String(a)}'`).join(', ')}, got ${String(value)}`;
}

/**
 * Problems with an architecture, one message per problem, each naming its field; empty when the
 * architecture is valid. Never throws: meant for form feedback.
 */
export function validateArchMessages(arch: ModelArch): string[] {
	if (typeof arch !== 'object' || arch === null) return ['arch must be an object'];
	const issues = [
		wholeIssue('vocabSize', arch.vocabSize, 1, MAX_VOCAB),
		wholeIssue('dModel', arch.dModel, 1, MAX_DIM),
		wholeIssue('nLayers', arch.nLayers, 1, MAX_LAYERS),
		wholeIssue('nHeads', arch.nHeads, 1, MAX_DIM),
		arch.nKvHeads === undefined ? null : wholeIssue('nKvHeads', arch.nKvHeads, 1, MAX_DIM),
		arch.dHead === undefined ? null : wholeIssue('dHead', arch.dHead, 1, MAX_DIM),
		wholeIssue('dFf', arch.dFf, 1, MAX_DIM),
		wholeIssue('maxPositions', arch.maxPositions, 1, MAX_POSITIONS),
		arch.tokenTypes === undefined ? null : wholeIssue('tokenTypes', arch.tokenTypes, 0, MAX_DIM),
		oneOf('kind', arch.kind, ['decoder', 'encoder']),
		oneOf('mlp', arch.mlp, ['standard', 'gated']),
		oneOf('lmHead', arch.lmHead, ['tied', 'untied', 'none']),
		oneOf('positions', arch.positions, ['learned', 'rotary']),
		oneOf('norm', arch.norm, ['layernorm', 'rmsnorm']),
		oneOf('normsPerLayer', arch.normsPerLayer, [1, 2]),
		oneOf('attentionBias', arch.attentionBias, [true, false]),
		oneOf('mlpBias', arch.mlpBias, [true, false]),
		oneOf('finalNorm', arch.finalNorm, [true, false])
	].filter((m): m is string => m !== null);
	if (issues.length > 0) return issues;

	const nKv = arch.nKvHeads ?? arch.nHeads;
	if (arch.nHeads % nKv !== 0) {
		issues.push(`nKvHeads must divide nHeads (${arch.nHeads}), got ${nKv}`);
	}
	if (arch.dHead === undefined && arch.dModel % arch.nHeads !== 0) {
		issues.push(
			`nHeads must divide dModel (${arch.dModel}) unless dHead is given, got ${arch.nHeads}`
		);
	}
	if (issues.length === 0) {
		const total = parameterBreakdown(arch).total;
		if (!(total <= MAX_PARAMS)) {
			issues.push(
				`arch has ${total.toExponential(2)} parameters, more than the ${MAX_PARAMS.toExponential(0)} this model accepts`
			);
		}
	}
	return issues;
}

/** Throws a RangeError listing every problem `validateArchMessages` finds; returns otherwise. */
export function validateArch(arch: ModelArch): void {
	const issues = validateArchMessages(arch);
	if (issues.length > 0) throw new RangeError(issues.join('; '));
}

/**
 * Problems with a training setup for a given (valid) architecture, one message per problem,
 * each naming its field; empty when valid. Never throws. Includes the architecture's problems.
 */
export function validateSetupMessages(arch: ModelArch, setup: TrainingSetup): string[] {
	const archIssues = validateArchMessages(arch);
	if (archIssues.length > 0) return archIssues;
	if (typeof setup !== 'object' || setup === null) return ['setup must be an object'];
	const methodIssue = oneOf('method', setup.method, METHODS);
	if (methodIssue) return [methodIssue];
	const s = resolveSetup(arch, setup);
	const issues = [
		oneOf('precision', s.precision, ['fp32', 'mixed']),
		oneOf('optimizer', s.optimizer, ['adam', 'adam8bit', 'sgd']),
		wholeIssue('batchSize', s.batchSize, 1, MAX_BATCH),
		wholeIssue('seqLen', s.seqLen, 1, MAX_POSITIONS),
		oneOf('gradientCheckpointing', s.gradientCheckpointing, [true, false]),
		oneOf('flashAttention', s.flashAttention, [true, false]),
		oneOf('zeroStage', s.zeroStage, [0, 1, 2, 3]),
		wholeIssue('devices', s.devices, 1, MAX_DEVICES),
		wholeIssue('prefixLength', s.prefixLength, 1, MAX_POSITIONS),
		wholeIssue('prefixHidden', s.prefixHidden, 0, MAX_DIM),
		wholeIssue('adapterSize', s.adapterSize, 1, MAX_DIM),
		wholeIssue('rank', s.rank, 1, MAX_DIM),
		typeof s.alpha === 'number' && Number.isFinite(s.alpha) && s.alpha > 0
			? null
			: `alpha must be a finite number > 0, got ${String(s.alpha)}`
	].filter((m): m is string => m !== null);

	if (s.method === 'lora' || s.method === 'qlora') {
		if (!Array.isArray(s.targets) || s.targets.length === 0) {
			issues.push(`targets must list at least one of ${TARGET_MATRICES.join(', ')}`);
		} else {
			const matrices = layerMatrices(arch);
			for (const t of s.targets) {
				const m = matrices.find((x) => x.name === t);
				if (!m) {
					issues.push(
						TARGET_MATRICES.includes(t)
							? `targets: '${t}' is not a matrix of ${arch.name ?? 'this model'} (its MLP is not gated)`
							: `targets: unknown matrix '${String(t)}'; use ${TARGET_MATRICES.join(', ')}`
					);
				} else if (Number.isInteger(s.rank) && s.rank > Math.min(m.dIn, m.dOut)) {
					issues.push(
						`rank must be at most min(d, k) = ${Math.min(m.dIn, m.dOut)} for '${t}', got ${s.rank}`
					);
				}
			}
		}
	}
	const promptTokens = s.method === 'prompt' ? s.prefixLength : 0;
	if (
		issues.length === 0 &&
		arch.positions === 'learned' &&
		s.seqLen + promptTokens > arch.maxPositions
	) {
		issues.push(
			`seqLen${promptTokens ? ' + prefixLength' : ''} must be at most maxPositions (${arch.maxPositions}) for learned positions, got ${s.seqLen + promptTokens}`
		);
	}
	return issues;
}

/** Throws a RangeError listing every problem `validateSetupMessages` finds; returns otherwise. */
export function validateSetup(arch: ModelArch, setup: TrainingSetup): void {
	const issues = validateSetupMessages(arch, setup);
	if (issues.length > 0) throw new RangeError(issues.join('; '));
}

/**
 * Fills in defaults (`SETUP_DEFAULTS`; for QLoRA rank 64, α 16 and every matrix `layerMatrices`
 * lists for this arch) and removes duplicate targets. Does not validate.
 */
export function resolveSetup(arch: ModelArch, setup: TrainingSetup): ResolvedSetup {
	const isQ = setup.method === 'qlora';
	const rank = setup.rank ?? (isQ ? QLORA_DEFAULTS.rank : SETUP_DEFAULTS.rank);
	const targets =
		setup.targets ?? (isQ ? layerMatrices(arch).map((m) => m.name) : [...SETUP_DEFAULTS.targets]);
	return {
		method: setup.method,
		precision: setup.precision ?? SETUP_DEFAULTS.precision,
		optimizer: setup.optimizer ?? SETUP_DEFAULTS.optimizer,
		rank,
		alpha: setup.alpha ?? (isQ ? QLORA_DEFAULTS.alpha : rank),
		targets: Array.isArray(targets) ? [...new Set(targets)] : targets,
		batchSize: setup.batchSize ?? SETUP_DEFAULTS.batchSize,
		seqLen: setup.seqLen ?? SETUP_DEFAULTS.seqLen,
		gradientCheckpointing: setup.gradientCheckpointing ?? SETUP_DEFAULTS.gradientCheckpointing,
		flashAttention: setup.flashAttention ?? SETUP_DEFAULTS.flashAttention,
		zeroStage: setup.zeroStage ?? SETUP_DEFAULTS.zeroStage,
		devices: setup.devices ?? SETUP_DEFAULTS.devices,
		prefixLength: setup.prefixLength ?? SETUP_DEFAULTS.prefixLength,
		prefixHidden: setup.prefixHidden ?? SETUP_DEFAULTS.prefixHidden,
		adapterSize: setup.adapterSize ?? SETUP_DEFAULTS.adapterSize
	};
}

function headDim(arch: ModelArch): number {
	return arch.dHead ?? arch.dModel / arch.nHeads;
}

/** Width of the key (and value) projection output: n_kv_heads · d_head; d_model without GQA. */
export function kvDim(arch: ModelArch): number {
	return (arch.nKvHeads ?? arch.nHeads) * headDim(arch);
}

/**
 * The weight matrices of one layer with their shapes [dIn, dOut]. Under grouped-query attention
 * k and v are d_model × n_kv_heads·d_head. A standard MLP has `up` (d_model → d_ff) and `down`;
 * a gated one adds `gate`.
 */
export function layerMatrices(arch: ModelArch): LayerMatrix[] {
	const d = arch.dModel;
	const dq = arch.nHeads * headDim(arch);
	const dkv = kvDim(arch);
	const attention: LayerMatrix[] = [
		{ name: 'q', dIn: d, dOut: dq },
		{ name: 'k', dIn: d, dOut: dkv },
		{ name: 'v', dIn: d, dOut: dkv },
		{ name: 'o', dIn: dq, dOut: d }
	];
	const gate: LayerMatrix[] =
		arch.mlp === 'gated' ? [{ name: 'gate', dIn: d, dOut: arch.dFf }] : [];
	return [
		...attention,
		...gate,
		{ name: 'up', dIn: d, dOut: arch.dFf },
		{ name: 'down', dIn: arch.dFf, dOut: d }
	];
}

/**
 * Parameter count of an architecture by part (units: parameters). Assumes a valid `arch`.
 * Layer biases: q, k, v, o when `attentionBias`; every MLP projection when `mlpBias`.
 */
export function parameterBreakdown(arch: ModelArch): ParameterBreakdown {
	const d = arch.dModel;
	const L = arch.nLayers;
	const V = arch.vocabSize;
	const matrices = layerMatrices(arch);
	const perNorm = arch.norm === 'layernorm' ? 2 * d : d;
	const normBias = arch.norm === 'layernorm' ? d : 0;

	const embeddings =
		V * d + (arch.positions === 'learned' ? arch.maxPositions * d : 0) + (arch.tokenTypes ?? 0) * d;
	const layerMatrixParams = L * matrices.reduce((sum, m) => sum + m.dIn * m.dOut, 0);
	const attnBias = arch.attentionBias
		? matrices.filter((m) => ['q', 'k', 'v', 'o'].includes(m.name)).reduce((s, m) => s + m.dOut, 0)
		: 0;
	const mlpBias = arch.mlpBias
		? matrices.filter((m) => !['q', 'k', 'v', 'o'].includes(m.name)).reduce((s, m) => s + m.dOut, 0)
		: 0;
	const layerBiases = L * (attnBias + mlpBias);
	const nNorms = L * arch.normsPerLayer + (arch.finalNorm ? 1 : 0) + (arch.embeddingNorm ? 1 : 0);
	const norms = nNorms * perNorm;
	const lmHead = (arch.lmHead === 'untied' ? V * d : 0) + (arch.lmHeadBias ? V : 0);
	const pooler = arch.pooler ? d * d + d : 0;
	const biases =
		layerBiases + nNorms * normBias + (arch.lmHeadBias ? V : 0) + (arch.pooler ? d : 0);
	return {
		embeddings,
		layerMatrices: layerMatrixParams,
		layerBiases,
		norms,
		lmHead,
		pooler,
		biases,
		total: embeddings + layerMatrixParams + layerBiases + norms + lmHead + pooler
	};
}

/** Total parameters of an architecture (units: parameters). Throws a RangeError if invalid. */
export function countParameters(arch: ModelArch): number {
	validateArch(arch);
	return parameterBreakdown(arch).total;
}

/**
 * Parameters a method adds to or selects from the base model (units: parameters):
 * - full: every parameter.
 * - lora/qlora (Hu et al. 2021): r·(d + k) per adapted d × k matrix per layer (A is r × k, B d × r).
 * - prefix (Li & Liang 2021): prefixLength · 2 · n_layers · d_kv prefix keys and values (d_kv =
 *   d_model without GQA, n_kv_heads·d_head with it, since prefixes live in key/value space). With
 *   `prefixHidden` H > 0 the reparameterisation MLP (P' of prefixLength × d_model, then
 *   d_model → H → 2·n_layers·d_kv with biases) is trained instead and dropped after training.
 * - prompt (Lester et al. 2021): prefixLength · d_model input embeddings.
 * - bitfit (Ben Zaken et al. 2022): every bias vector, LayerNorm biases included; 0 for models
 *   without biases (LLaMA, Mistral), where BitFit has nothing to train. Ben Zaken et al. also
 *   train the task's new classification head, which these generative models do not have (the
 *   course's own trainer, fine-tuning a fixed head, trains it as theirs: methods/bitfit.ts).
 * - ia3 (Liu et al. 2022): per layer l_k and l_v (d_kv each) and l_ff (d_ff).
 * - adapter (Houlsby et al. 2019): per layer two bottleneck adapters of 2·d_model·m + m + d_model.
 *   Houlsby et al. also train the layer norms; that is not counted here.
 * `trainable` receives gradients; `added` is new parameters on top of the base; `shipped` is what
 * a checkpoint of the fine-tune stores (for full fine-tuning, the whole model).
 */
export function methodParameters(
	arch: ModelArch,
	setup: TrainingSetup
): { trainable: number; added: number; shipped: number } {
	const s = resolveSetup(arch, setup);
	const base = parameterBreakdown(arch);
	const L = arch.nLayers;
	const d = arch.dModel;
	const dkv = kvDim(arch);
	switch (s.method) {
		case 'full':
			return { trainable: base.total, added: 0, shipped: base.total };
		case 'lora':
		case 'qlora': {
			const adapted = layerMatrices(arch).filter((m) => s.targets.includes(m.name));
			const n = L * adapted.reduce((sum, m) => sum + s.rank * (m.dIn + m.dOut), 0);
			return { trainable: n, added: n, shipped: n };
		}
		case 'prefix': {
			const out = 2 * L * dkv;
			const prefix = s.prefixLength * out;
			if (s.prefixHidden === 0) return { trainable: prefix, added: prefix, shipped: prefix };
			const H = s.prefixHidden;
			const mlp = s.prefixLength * d + d * H + H + H * out + out;
			return { trainable: mlp, added: mlp, shipped: prefix };
		}
		case 'prompt': {
			const n = s.prefixLength * d;
			return { trainable: n, added: n, shipped: n };
		}
		case 'bitfit':
			return { trainable: base.biases, added: 0, shipped: base.biases };
		case 'ia3': {
			const n = L * (2 * dkv + arch.dFf);
			return { trainable: n, added: n, shipped: n };
		}
		case 'adapter': {
			const m = s.adapterSize;
			const n = L * 2 * (2 * d * m + m + d);
			return { trainable: n, added: n, shipped: n };
		}
	}
}

/** Model-state bytes on one device: weights, gradients, optimizer state. */
export interface ModelStateBytes {
	weights: number;
	gradients: number;
	optimizer: number;
}

/**
 * ZeRO sharding over N_d data-parallel devices (Rajbhandari et al. 2019, §5): stage 1 (P_os)
 * divides optimizer state by N_d, stage 2 (P_os+g) also gradients, stage 3 (P_os+g+p) also
 * weights. For Ψ parameters of mixed-precision Adam this gives 16Ψ, 4Ψ + 12Ψ/N_d,
 * 2Ψ + 14Ψ/N_d and 16Ψ/N_d bytes per device. Input and output in bytes.
 */
export function shardModelStates(
	states: ModelStateBytes,
	zeroStage: 0 | 1 | 2 | 3,
	devices: number
): ModelStateBytes {
	return {
		weights: zeroStage >= 3 ? states.weights / devices : states.weights,
		gradients: zeroStage >= 2 ? states.gradients / devices : states.gradients,
		optimizer: zeroStage >= 1 ? states.optimizer / devices : states.optimizer
	};
}

/**
 * Optimizer bytes per trainable parameter. Mixed precision keeps an fp32 master copy (4 B) beside
 * the state: Adam 4 + 8 = 12 (ZeRO's K), 8-bit Adam 4 + 2 = 6, SGD 4. In fp32 the weights are the
 * master: Adam 8, 8-bit Adam 2, SGD 0. SGD here is plain SGD without momentum (momentum would add
 * 4 B). 8-bit Adam's block-wise scales (2·4 B per 2048 values, 0.2%) are left out.
 * `masterCopy: false` (QLoRA, which updates bf16 adapters directly) drops the 4-byte master.
 */
export function optimizerBytesPerParam(
	optimizer: 'adam' | 'adam8bit' | 'sgd',
	masterCopy: boolean
): number {
	const state = optimizer === 'adam' ? 8 : optimizer === 'adam8bit' ? 2 : 0;
	return state + (masterCopy ? BYTES_PER_PARAM.fp32 : 0);
}

/**
 * Activation bytes saved for the backward pass on one device (Korthikanti et al. 2022, §4.1,
 * no tensor or sequence parallelism): per layer s·b·h·(34 + 5·a·s/h) bytes in 16-bit, of which
 * 34·s·b·h is the layer's linear-layer inputs, norms, GeLU and dropout masks and 5·a·s²·b the
 * attention scores, softmax and its dropout. Full recomputation keeps 2·s·b·h per layer.
 * The formula is derived for GPT-style layers with a 4h MLP; applying it to gated MLPs, GQA and
 * encoders is an estimate. Embedding and logit buffers (e.g. fp32 logits, 4·s·b·V) are not
 * counted. Prompt tuning lengthens the input to s + p; prefix tuning lengthens only keys and
 * values, so the attention term becomes 5·a·s·(s + p)·b. fp32 training doubles the total
 * (approximately: the 1-byte dropout masks are counted twice).
 *
 * With `flashAttention` (Dao et al. 2022, arXiv 2205.14135) the 5·a·s²·b term is replaced by
 * what FlashAttention keeps instead: one fp32 softmax statistic (the row's log-sum-exp) per head
 * and query, 4·a·s·b bytes. The 34·s·b·h term is left as Korthikanti et al. count it, dropout
 * masks and a 4h MLP included, though Llama has neither dropout nor that MLP.
 */
export function activationBytes(arch: ModelArch, setup: TrainingSetup): number {
	const s0 = resolveSetup(arch, setup);
	const b = s0.batchSize;
	const h = arch.dModel;
	const a = arch.nHeads;
	const p = s0.method === 'prompt' || s0.method === 'prefix' ? s0.prefixLength : 0;
	const s = s0.method === 'prompt' ? s0.seqLen + p : s0.seqLen;
	const keys = s0.method === 'prefix' ? s + p : s;
	const attention = s0.flashAttention ? 4 * a * s * b : 5 * a * s * keys * b;
	const perLayer = s0.gradientCheckpointing ? 2 * s * b * h : 34 * s * b * h + attention;
	const scale = s0.precision === 'fp32' ? 2 : 1;
	return scale * arch.nLayers * perLayer;
}

/**
 * Per-device memory of one training step, in bytes (Rajbhandari et al. 2019 for model states,
 * Korthikanti et al. 2022 for activations). Storage per parameter:
 * - Trainable: weights 2 B (mixed) or 4 B (fp32), gradients the same, optimizer per
 *   `optimizerBytesPerParam`: full mixed-precision Adam = 2 + 2 + 12 = 16 B; fp32 = 4 + 4 + 8.
 * - Frozen base (every PEFT method): weights only, 16-bit (mixed) or fp32; no gradients, no state.
 * - QLoRA (Dettmers et al. 2023): the layers' weight matrices in 4-bit NF4 with double-quantised
 *   scales, `NF4_BYTES_PER_PARAM` ≈ 0.516 B; embeddings, LM head, norms and biases stay 16-bit (as
 *   bitsandbytes leaves everything but the blocks' linear layers). Adapters in 16-bit with fp32
 *   Adam moments and no master copy (qlora.py); paged optimizers are counted as resident.
 * - BitFit trains biases inside the base, so its weights are the base's alone.
 * LoRA and the other PEFT methods save gradient and optimizer memory, not activations: the
 * backward pass still runs through every layer. ZeRO stages shard per `shardModelStates`;
 * `batchSize` is per device and activations are not sharded.
 * @throws RangeError naming the field when `arch` or `setup` is invalid.
 */
export function estimateTrainingMemory(arch: ModelArch, setup: TrainingSetup): MemoryBreakdown {
	validateSetup(arch, setup);
	const s = resolveSetup(arch, setup);
	const base = parameterBreakdown(arch);
	const { trainable, added, shipped } = methodParameters(arch, s);
	const w = s.precision === 'fp32' ? BYTES_PER_PARAM.fp32 : BYTES_PER_PARAM.fp16;
	const isQ = s.method === 'qlora';

	let baseWeights: number;
	if (isQ) {
		baseWeights = base.layerMatrices * NF4_BYTES_PER_PARAM + (base.total - base.layerMatrices) * w;
	} else {
		baseWeights = base.total * w;
	}
	const masterCopy = s.precision === 'mixed' && !isQ;
	const states = shardModelStates(
		{
			weights: baseWeights + added * w,
			gradients: trainable * w,
			optimizer: trainable * optimizerBytesPerParam(s.optimizer, masterCopy)
		},
		s.zeroStage,
		s.devices
	);
	const activations = activationBytes(arch, s);
	return {
		...states,
		activations,
		total: states.weights + states.gradients + states.optimizer + activations,
		trainableParams: trainable,
		totalParams: base.total + added,
		baseParams: base.total,
		checkpointBytes: shipped * w
	};
}

/** FLOPs of one training step by part; `total` is their sum. Units: floating-point operations. */
export interface FlopsBreakdown {
	/** Tokens processed in the step, over all devices: batchSize · seqLen · devices. */
	tokens: number;
	forward: number;
	/** Backward through the activations (needed by every method to reach earlier layers). */
	backwardActivations: number;
	/** Gradients of the trained weights. */
	backwardWeights: number;
	/** Extra forward pass when gradient checkpointing recomputes activations. */
	recompute: number;
	total: number;
}

/**
 * FLOPs of one training step by part, with the 2N-per-token matmul rule (Kaplan et al. 2020,
 * N = all parameters, attention-score FLOPs left out). Full fine-tuning: forward 2N, backward 4N
 * (2N for activation gradients, 2N for weight gradients) → 6N per token. Frozen weights still pass
 * activation gradients back (2N) but skip their weight gradients, so LoRA and adapters cost about
 * 4N + 6·N_added per token; prefix, prompt, BitFit and (IA)³ about 4N (their own gradients are
 * negligible). Prompt tuning processes seqLen + prefixLength tokens. Checkpointing adds a forward.
 * Over all devices. Throws a RangeError on invalid input.
 */
export function trainingFlopsBreakdown(arch: ModelArch, setup: TrainingSetup): FlopsBreakdown {
	validateSetup(arch, setup);
	const s = resolveSetup(arch, setup);
	const N = parameterBreakdown(arch).total;
	const { added } = methodParameters(arch, s);
	const extra = s.method === 'lora' || s.method === 'qlora' || s.method === 'adapter' ? added : 0;
	const seq = s.method === 'prompt' ? s.seqLen + s.prefixLength : s.seqLen;
	const tokens = s.batchSize * seq * s.devices;
	const forward = 2 * (N + extra) * tokens;
	const backwardActivations = 2 * (N + extra) * tokens;
	const backwardWeights = (s.method === 'full' ? 2 * N : 2 * extra) * tokens;
	const recompute = s.gradientCheckpointing ? forward : 0;
	return {
		tokens,
		forward,
		backwardActivations,
		backwardWeights,
		recompute,
		total: forward + backwardActivations + backwardWeights + recompute
	};
}

/** FLOPs of one training step over all devices; the `total` of `trainingFlopsBreakdown`. */
export function estimateTrainingFlops(arch: ModelArch, setup: TrainingSetup): number {
	return trainingFlopsBreakdown(arch, setup).total;
}

/**
 * Shape of the course's in-browser character transformer (the `config` of a transformer entry in
 * `static/models/manifest.json`): token and learned position embeddings, pre-norm blocks with
 * biased q, k, v, o and a 4·d GELU MLP, LayerNorms, a final norm and an untied, biased head.
 */
export interface SmallTransformerConfig {
	vocab: number;
	context: number;
	dModel: number;
	heads: number;
	layers: number;
}

/**
 * The memory model's `ModelArch` for the in-browser transformer, so that its prediction can be
 * checked against what the trainer really allocates. `countParameters` of the result equals the
 * number of values the trainer holds for the same config.
 */
export function smallTransformerArch(cfg: SmallTransformerConfig): ModelArch {
	return {
		name: `in-browser transformer (d ${cfg.dModel}, ${cfg.layers} layers)`,
		source: 'static/models/manifest.json',
		kind: 'decoder',
		vocabSize: cfg.vocab,
		dModel: cfg.dModel,
		nLayers: cfg.layers,
		nHeads: cfg.heads,
		dFf: 4 * cfg.dModel,
		mlp: 'standard',
		lmHead: 'untied',
		lmHeadBias: true,
		positions: 'learned',
		maxPositions: cfg.context,
		attentionBias: true,
		mlpBias: true,
		norm: 'layernorm',
		normsPerLayer: 2,
		finalNorm: true
	};
}

/** What a trainer holds between steps, in bytes, split as the trainer's memory ledger splits it. */
export interface PredictedLedger {
	/** Frozen weights: stored, no gradient, no optimizer state. */
	frozen: number;
	/** Trainable weights (base parameters that train, plus any adapters). */
	trainable: number;
	/** Optimizer state of the trainable weights. */
	optimizer: number;
	/** Bytes alive only during a step by the memory model: gradients plus saved activations. */
	transient: number;
	trainableParams: number;
}

/**
 * The memory model's prediction of a trainer's ledger for an fp32 run (the browser trainer keeps
 * everything in fp32): frozen = weights − trainable, trainable = 4 B per trained parameter,
 * optimizer = Adam's two moments (8 B) or 8-bit Adam's or SGD's per `optimizerBytesPerParam`,
 * transient = gradients + activations. Throws a RangeError on invalid input or a mixed setup.
 */
export function predictedLedger(arch: ModelArch, setup: TrainingSetup): PredictedLedger {
	const s = { ...setup, precision: setup.precision ?? 'fp32' };
	if (s.precision !== 'fp32' || s.method === 'qlora') {
		throw new RangeError(
			'predictedLedger models fp32 training only (no mixed precision, no QLoRA)'
		);
	}
	const m = estimateTrainingMemory(arch, s);
	const trainable = m.trainableParams * BYTES_PER_PARAM.fp32;
	return {
		frozen: m.weights - trainable,
		trainable,
		optimizer: m.optimizer,
		transient: m.gradients + m.activations,
		trainableParams: m.trainableParams
	};
}
