/**
 * Transformer architectures for the memory model: the shape of a model (`ModelArch`), its
 * validation, the weight matrices of one layer and the parameter count by part. Pure arithmetic;
 * the memory (`memory.ts`) and compute (`flops.ts`) of fine-tuning build on it, and the published
 * shapes live in `memoryPresets.ts`.
 */

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

/** Largest parameter count the model accepts (10 trillion); beyond it a setup is a typo. */
export const MAX_PARAMS = 1e13;

/** Largest width (of a model, head, MLP, adapter) the validators accept. */
export const MAX_DIM = 2 ** 20;
const MAX_LAYERS = 10_000;
const MAX_VOCAB = 1e8;
/** Largest context (and sequence or prefix length) the validators accept. */
export const MAX_POSITIONS = 1e8;

/** A message when `value` is not a whole number in [min, max], else null. */
export function wholeIssue(field: string, value: unknown, min: number, max: number): string | null {
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
		return `${field} must be a whole number ≥ ${min}, got ${String(value)}`;
	}
	if (value > max) return `${field} must be at most ${max.toLocaleString('en-US')}, got ${value}`;
	return null;
}

/** A message when `value` is not one of `allowed`, else null. */
export function oneOf<T>(field: string, value: unknown, allowed: readonly T[]): string | null {
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
