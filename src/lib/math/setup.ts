/**
 * A fine-tuning run as the memory model sees it (`TrainingSetup`): its defaults, its validation
 * against an architecture, and the parameters each method trains, adds and ships. `checkSetup` is
 * the one entry: it validates and resolves a setup once, and the memory (`memory.ts`) and FLOPs
 * (`flops.ts`) counts take what it returns.
 */
import {
	MAX_DIM,
	MAX_POSITIONS,
	TARGET_MATRICES,
	layerMatrices,
	kvDim,
	oneOf,
	parameterBreakdown,
	validateArchMessages,
	wholeIssue,
	type ModelArch,
	type ParameterBreakdown,
	type TargetMatrix
} from './architecture';
import { METHODS, type Method } from './methods';

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

const MAX_BATCH = 1e6;
const MAX_DEVICES = 1e6;

declare const checked: unique symbol;

/**
 * A setup that passed `checkSetup`: every default filled in and every field valid for the
 * architecture it was checked against. The memory and FLOPs counts take one, so a figure
 * validates and resolves each setup once and hands the result to both.
 */
export type CheckedSetup = ResolvedSetup & { readonly [checked]: true };

/** What `checkSetup` finds: the problems, or the setup resolved and ready to count. */
export type SetupCheck = { issues: string[]; setup: null } | { issues: []; setup: CheckedSetup };

/**
 * Problems with a training setup for a given (valid) architecture, one message per problem,
 * each naming its field; empty when valid. Never throws. Includes the architecture's problems.
 */
export function validateSetupMessages(arch: ModelArch, setup: TrainingSetup): string[] {
	return checkSetup(arch, setup).issues;
}

/**
 * Validates a setup for an architecture (the architecture's own problems included) and resolves
 * it, once: the one entry through which a setup reaches the memory and FLOPs counts. Never throws.
 */
export function checkSetup(arch: ModelArch, setup: TrainingSetup): SetupCheck {
	const fail = (issues: string[]): SetupCheck => ({ issues, setup: null });
	const archIssues = validateArchMessages(arch);
	if (archIssues.length > 0) return fail(archIssues);
	if (typeof setup !== 'object' || setup === null) return fail(['setup must be an object']);
	const methodIssue = oneOf('method', setup.method, METHODS);
	if (methodIssue) return fail([methodIssue]);
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
	return issues.length > 0 ? fail(issues) : { issues: [], setup: s as CheckedSetup };
}

/** The setup checked and resolved; throws a RangeError listing every problem `checkSetup` finds. */
export function checkedSetup(arch: ModelArch, setup: TrainingSetup): CheckedSetup {
	const c = checkSetup(arch, setup);
	if (c.setup === null) throw new RangeError(c.issues.join('; '));
	return c.setup;
}

/** Throws a RangeError listing every problem `validateSetupMessages` finds; returns otherwise. */
export function validateSetup(arch: ModelArch, setup: TrainingSetup): void {
	checkedSetup(arch, setup);
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

/** What a method trains, adds and ships, in parameters (see `methodParameters`). */
export interface MethodParameters {
	trainable: number;
	added: number;
	shipped: number;
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
export function methodParameters(arch: ModelArch, setup: TrainingSetup): MethodParameters {
	return methodCounts(arch, resolveSetup(arch, setup));
}

/** `methodParameters` of a setup already resolved, with the base's breakdown if already counted. */
export function methodCounts(
	arch: ModelArch,
	s: ResolvedSetup,
	base: ParameterBreakdown = parameterBreakdown(arch)
): MethodParameters {
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
