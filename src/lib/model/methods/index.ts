/**
 * The method registry: one entry per fine-tuning method, each turning base weights into a
 * `Tuned` set of frozen tensors and trainable variables, and named from the course's one method
 * table (`$lib/math/methods`). Tests run every entry through the same checks, in the spirit of
 * huggingface/peft's test matrix.
 */
import { METHOD_LABELS } from '$lib/math/methods';
import type { Rng } from '$lib/math/rng';
import type { ModelDef } from '../model';
import type { Weights } from '../params';
import type { MethodId, Tuned, TuningConfig } from '../tuned';
import { prepareBitfit } from './bitfit';
import { prepareFull } from './full';
import { prepareHead } from './head';
import { LoraTuned } from './lora';
import { SubspaceTuned } from './subspace';

/** A fine-tuning method as the course presents it. */
export interface MethodEntry {
	id: MethodId;
	label: string;
	/** One line on what trains. */
	trains: string;
	prepare(model: ModelDef, weights: Weights, config: TuningConfig, rng: Rng): Tuned;
}

export const METHODS: Record<MethodId, MethodEntry> = {
	full: {
		id: 'full',
		label: METHOD_LABELS.full,
		trains: 'every weight and bias',
		prepare: (model, weights) => prepareFull(model, weights)
	},
	lora: {
		id: 'lora',
		label: METHOD_LABELS.lora,
		trains: 'low-rank adapters A and B on the chosen matrices; the base stays frozen',
		prepare: (model, weights, config, rng) => new LoraTuned(model, weights, config, rng)
	},
	head: {
		id: 'head',
		label: METHOD_LABELS.head,
		trains: 'the output layer (a linear probe)',
		prepare: (model, weights) => prepareHead(model, weights)
	},
	bitfit: {
		id: 'bitfit',
		label: METHOD_LABELS.bitfit,
		trains: 'every bias term and the output layer (Ben Zaken et al.’s task head)',
		prepare: (model, weights) => prepareBitfit(model, weights)
	},
	subspace: {
		id: 'subspace',
		label: METHOD_LABELS.subspace,
		trains: 'd numbers z that move every weight along a fixed random projection, θ = θ₀ + P·z',
		prepare: (model, weights, config, rng) => new SubspaceTuned(model, weights, config, rng)
	}
};

/** Prepare `weights` of `model` for fine-tuning with `config`. Caller owns (and disposes) the result. */
export function prepare(model: ModelDef, weights: Weights, config: TuningConfig, rng: Rng): Tuned {
	const entry = METHODS[config.method];
	if (!entry) throw new Error(`unknown fine-tuning method ${String(config.method)}`);
	return entry.prepare(model, weights, config, rng);
}

export { LoraTuned, SubspaceTuned };
