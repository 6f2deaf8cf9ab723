/** BitFit (Ben Zaken et al. 2022): only bias terms train; every weight matrix stays frozen. */
import type { ModelDef } from '../model';
import type { Weights } from '../params';
import { Tuned } from '../tuned';

export function prepareBitfit(model: ModelDef, weights: Weights): Tuned {
	const biases = new Set(model.params.filter((p) => p.kind === 'bias').map((p) => p.name));
	if (biases.size === 0) throw new Error(`${model.id} has no biases for BitFit to train`);
	return new Tuned(model, weights, (name) => biases.has(name));
}
