/** Full fine-tuning: every parameter is trainable. */
import type { ModelDef } from '../model';
import type { Weights } from '../params';
import { Tuned } from '../tuned';

export function prepareFull(model: ModelDef, weights: Weights): Tuned {
	return new Tuned(model, weights, () => true);
}
