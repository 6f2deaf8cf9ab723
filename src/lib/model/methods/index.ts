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

/** A method's entry, named as the course's method table names it. */
function methodEntry(id: MethodId, trains: string, prepare: MethodEntry['prepare']): MethodEntry {
	return { id, label: METHOD_LABELS[id], trains, prepare };
}

export const METHODS: Record<MethodId, MethodEntry> = {
	full: methodEntry('full', 'every weight and bias', (model, weights) =>
		prepareFull(model, weights)
	),
	lora: methodEntry(
		'lora',
		'low-rank adapters A and B on the chosen matrices; the base stays frozen',
		(model, weights, config, rng) => new LoraTuned(model, weights, config, rng)
	),
	head: methodEntry('head', 'the output layer (a linear probe)', (model, weights) =>
		prepareHead(model, weights)
	),
	bitfit: methodEntry(
		'bitfit',
		'every bias term and the output layer (Ben Zaken et al.’s task head)',
		(model, weights) => prepareBitfit(model, weights)
	),
	subspace: methodEntry(
		'subspace',
		'd numbers z that move every weight along a fixed random projection, θ = θ₀ + P·z',
		(model, weights, config, rng) => new SubspaceTuned(model, weights, config, rng)
	)
};

/** Prepare `weights` of `model` for fine-tuning with `config`. Caller owns (and disposes) the result. */
export function prepare(model: ModelDef, weights: Weights, config: TuningConfig, rng: Rng): Tuned {
	const entry = METHODS[config.method];
	if (!entry) throw new Error(`unknown fine-tuning method ${String(config.method)}`);
	return entry.prepare(model, weights, config, rng);
}

export { LoraTuned, SubspaceTuned };
