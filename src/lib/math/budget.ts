/**
 * What a compute budget buys under each published scaling law, and what the model it buys would
 * need in memory to be fine-tuned. Lesson 2's "spend a budget" figure reads its numbers from here:
 * the compute-optimal (N, D) of the three Chinchilla-form fits and Kaplan's allocation, each with
 * the loss its own law predicts and the loss on a common reference fit, and a GPT-shaped
 * architecture of about N parameters so that `memory.ts` can price full fine-tuning of it.
 * Pure TypeScript.
 */
import {
	LLAMA_STYLE,
	estimateTrainingMemory,
	type MemoryBreakdown,
	type ModelArch
} from './memory';
import {
	FITS,
	chinchillaLoss,
	computeOptimal,
	kaplanAllocation,
	kaplanLossND,
	type Fit
} from './scaling';

/** The allocations compared: three fits of Hoffmann et al.'s Eq 10 and Kaplan et al.'s rule. */
export const ALLOCATIONS = ['chinchilla', 'chinchillaRounded', 'besiroglu', 'kaplan'] as const;
export type AllocationId = (typeof ALLOCATIONS)[number];

/** Chinchilla-form fits a figure can draw its curves from. */
export type FitId = Exclude<AllocationId, 'kaplan'>;
export const FIT_IDS: readonly FitId[] = ['chinchilla', 'chinchillaRounded', 'besiroglu'];

/** Names for tables and legends, with the source in short. */
export const ALLOCATION_NAMES: Record<AllocationId, string> = {
	chinchilla: 'Chinchilla, unrounded fit',
	chinchillaRounded: 'Chinchilla, rounded as printed',
	besiroglu: 'Besiroglu et al. refit',
	kaplan: 'Kaplan et al. allocation'
};

/** One way to spend compute C: N parameters, D tokens and the predicted losses, nats/token. */
export interface Allocation {
	id: AllocationId;
	N: number;
	D: number;
	/** What the allocation's own law predicts (Kaplan: his joint law, Eq 1.5). */
	ownLoss: number;
	/** The loss of (N, D) under the reference fit, so allocations compare on one curve. */
	loss: number;
}

/**
 * Every allocation of compute `C` (FLOP, C = 6·N·D).
 * @param reference the Chinchilla-form fit all allocations are scored on (default unrounded)
 */
export function allocate(C: number, reference: Fit = FITS.chinchilla): Allocation[] {
	return ALLOCATIONS.map((id) => {
		if (id === 'kaplan') {
			const { N, D } = kaplanAllocation(C);
			return { id, N, D, ownLoss: kaplanLossND(N, D), loss: chinchillaLoss(N, D, reference) };
		}
		const { N, D, loss } = computeOptimal(C, FITS[id]);
		return { id, N, D, ownLoss: loss, loss: chinchillaLoss(N, D, reference) };
	});
}

/** Width per layer of GPT-3 175B (12,288 / 96), kept for the shapes made here. */
const ASPECT = 128;
const VOCAB = 32_000;

/**
 * A decoder of about `N` parameters in the GPT mould: d_model a multiple of 128 near
 * (128·N/12)^(1/3), so that n_layer ≈ d_model/128 and N ≈ 12·n_layer·d_model² (Kaplan et al.
 * 2020, §2.1) plus a 32,000-token vocabulary with untied embeddings; at least one layer.
 * @param N parameters, ≥ 1e5
 */
export function archForParams(N: number): ModelArch {
	if (!(N >= 1e5) || !Number.isFinite(N)) throw new RangeError(`N must be ≥ 1e5, got ${N}`);
	const dModel = Math.max(ASPECT, Math.round(Math.cbrt((ASPECT * N) / 12) / ASPECT) * ASPECT);
	const nLayers = Math.max(1, Math.round((N - 2 * VOCAB * dModel) / (12 * dModel * dModel)));
	return {
		name: `about ${N.toPrecision(2)} parameters`,
		...LLAMA_STYLE,
		vocabSize: VOCAB,
		dModel,
		nLayers,
		nHeads: dModel / ASPECT,
		dFf: 4 * dModel,
		mlp: 'standard',
		maxPositions: 2048
	};
}

/**
 * Memory of fully fine-tuning a model of about `N` parameters on one device: mixed-precision
 * Adam (16 bytes per parameter of model state, Rajbhandari et al. 2019) and one 2,048-token
 * sequence with full activation recomputation.
 */
export function fullFineTuneMemory(N: number): MemoryBreakdown {
	return estimateTrainingMemory(archForParams(N), {
		method: 'full',
		precision: 'mixed',
		optimizer: 'adam',
		batchSize: 1,
		seqLen: 2048,
		gradientCheckpointing: true
	});
}

/** Single-GPU memory sizes the figure compares against, GB (10⁹ bytes). */
export const GPU_SIZES_GB: readonly number[] = [16, 24, 48, 80, 141];
