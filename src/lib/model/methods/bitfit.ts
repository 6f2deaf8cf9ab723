/**
 * BitFit as Ben Zaken et al. (2022) published it: every bias term trains, and so does the task's
 * output layer (their classification head); every other weight matrix stays frozen. On a task
 * whose labels mean something new (new classes read through the old head) the head is what lets
 * BitFit remap its readout at all.
 */
import type { ModelDef } from '../model';
import type { Weights } from '../params';
import { Tuned } from '../tuned';

/** The parameters BitFit trains in `model`: its biases and its head's weights. */
export function bitfitParams(model: ModelDef): Set<string> {
	const biases = model.params.filter((p) => p.kind === 'bias').map((p) => p.name);
	if (biases.length === 0) throw new Error(`${model.id} has no biases for BitFit to train`);
	return new Set([...biases, ...model.head.flatMap((h) => [`${h}.W`, `${h}.b`])]);
}

export function prepareBitfit(model: ModelDef, weights: Weights): Tuned {
	const trains = bitfitParams(model);
	return new Tuned(model, weights, (name) => trains.has(name));
}
