/**
 * The short LoRA run the trainer tests start and queue (unit and browser): LoRA on `l1` of the
 * digits MLP, fine-tuned on the small shift at batch 32 and learning rate 3e-3. Each test sets
 * its seed and, where it matters, the rank and α.
 */
import type { LoraRunSpec } from '$lib/trainer/protocol';

export function smallShiftLora(
	o: Pick<LoraRunSpec, 'seed'> & Partial<Omit<LoraRunSpec, 'method'>>
): LoraRunSpec {
	return {
		task: { kind: 'digits', task: 'affine-small', strength: 1 },
		method: 'lora',
		targets: ['l1'],
		lr: 3e-3,
		batchSize: 32,
		...o
	};
}
