/**
 * Compute of one fine-tuning step, by part, with the 2N-per-token matmul rule (Kaplan et al. 2020).
 * Takes a setup through `checkSetup` (setup.ts), like the memory count beside it.
 */
import { parameterBreakdown, type ModelArch, type ParameterBreakdown } from './architecture';
import { checkedSetup, methodCounts, type CheckedSetup, type TrainingSetup } from './setup';

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
	return trainingFlops(arch, checkedSetup(arch, setup));
}

/** `trainingFlopsBreakdown` of a setup `checkSetup` has already validated and resolved. */
export function trainingFlops(
	arch: ModelArch,
	s: CheckedSetup,
	base: ParameterBreakdown = parameterBreakdown(arch)
): FlopsBreakdown {
	const N = base.total;
	const { added } = methodCounts(arch, s, base);
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
