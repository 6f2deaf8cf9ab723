/**
 * Memory of fine-tuning a transformer: how many bytes of GPU memory the weights, gradients,
 * optimizer state and activations of one training step take on each device. It follows ZeRO
 * (Rajbhandari et al. 2019, arXiv 1910.02054) for model states and their sharding, Korthikanti et
 * al. 2022 (arXiv 2205.05198) for activations, and QLoRA (Dettmers et al. 2023) for 4-bit weights.
 * Bytes per stored value come from `footprint.ts`, lesson 1's model, so both lessons count with
 * the same table. Pure arithmetic: it runs the same in Node, the browser and a worker. All byte
 * counts are bytes (GB in the papers = 1e9 bytes).
 *
 * The model is in four modules: `architecture.ts` (shapes and parameter counts), `setup.ts` (a
 * run's settings, checked and resolved once by `checkSetup`), this file (bytes) and `flops.ts`
 * (compute). This file also re-exports the other three, so `$lib/math/memory` still offers all.
 */
import { parameterBreakdown, type ModelArch, type ParameterBreakdown } from './architecture';
import { ADAM_MIXED_PRECISION, BYTES_PER_PARAM } from './footprint';
import {
	checkedSetup,
	methodCounts,
	resolveSetup,
	type CheckedSetup,
	type MethodParameters,
	type ResolvedSetup,
	type TrainingSetup
} from './setup';

export * from './architecture';
export * from './flops';
export * from './methods';
export * from './setup';
export { BYTES_PER_PARAM } from './footprint';
export { LLAMA_STYLE, MODEL_PRESETS, PAPER_MODELS, PRESET_IDS } from './memoryPresets';
export type { PresetId } from './memoryPresets';

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

/** ZeRO's K for mixed-precision Adam: fp32 master weights, momentum and variance, bytes/param. */
export const ADAM_MIXED_K =
	ADAM_MIXED_PRECISION.masterWeights32 +
	ADAM_MIXED_PRECISION.momentum32 +
	ADAM_MIXED_PRECISION.variance32;

/** Adam's two fp32 moments, bytes per parameter. */
const ADAM_MOMENTS = ADAM_MIXED_PRECISION.momentum32 + ADAM_MIXED_PRECISION.variance32;

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
	const state = optimizer === 'adam' ? ADAM_MOMENTS : optimizer === 'adam8bit' ? 2 : 0;
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
	return activationsOf(arch, resolveSetup(arch, setup));
}

/** `activationBytes` of a setup already resolved. */
function activationsOf(arch: ModelArch, s0: ResolvedSetup): number {
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
	return trainingMemory(arch, checkedSetup(arch, setup));
}

/** `estimateTrainingMemory` of a setup `checkSetup` has already validated and resolved. */
export function trainingMemory(
	arch: ModelArch,
	s: CheckedSetup,
	base: ParameterBreakdown = parameterBreakdown(arch)
): MemoryBreakdown {
	const counts = methodCounts(arch, s, base);
	const w = storageBytes(s.precision);
	const states = shardModelStates(modelStateBytes(base, counts, s), s.zeroStage, s.devices);
	const activations = activationsOf(arch, s);
	return {
		...states,
		activations,
		total: states.weights + states.gradients + states.optimizer + activations,
		trainableParams: counts.trainable,
		totalParams: base.total + counts.added,
		baseParams: base.total,
		checkpointBytes: counts.shipped * w
	};
}

/** Bytes per stored weight or gradient: 4 in fp32, 2 in mixed precision. */
function storageBytes(precision: ResolvedSetup['precision']): number {
	return precision === 'fp32' ? BYTES_PER_PARAM.fp32 : BYTES_PER_PARAM.fp16;
}

/**
 * Model-state bytes on one device before sharding, as `estimateTrainingMemory` counts them: the
 * base's weights (QLoRA: its layer matrices in NF4, the rest at storage precision) plus what the
 * method adds, and gradients and optimizer state of what it trains. `base` needs only the total
 * and the layer matrices, so lesson 1 can pass a published parameter count.
 */
export function modelStateBytes(
	base: Pick<ParameterBreakdown, 'total' | 'layerMatrices'>,
	counts: Pick<MethodParameters, 'trainable' | 'added'>,
	s: Pick<ResolvedSetup, 'method' | 'precision' | 'optimizer'>
): ModelStateBytes {
	const w = storageBytes(s.precision);
	const isQ = s.method === 'qlora';
	const baseWeights = isQ
		? base.layerMatrices * NF4_BYTES_PER_PARAM + (base.total - base.layerMatrices) * w
		: base.total * w;
	const masterCopy = s.precision === 'mixed' && !isQ;
	return {
		weights: baseWeights + counts.added * w,
		gradients: counts.trainable * w,
		optimizer: counts.trainable * optimizerBytesPerParam(s.optimizer, masterCopy)
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
