/** Head-only tuning (a linear probe): only the output layer's weights and biases train. */
import type { ModelDef } from '../model';
import type { Weights } from '../params';
import { Tuned } from '../tuned';

export function prepareHead(model: ModelDef, weights: Weights): Tuned {
	const head = new Set(model.head.flatMap((h) => [`${h}.W`, `${h}.b`]));
	return new Tuned(model, weights, (name) => head.has(name));
}
