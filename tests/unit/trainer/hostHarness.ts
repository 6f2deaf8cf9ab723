/**
 * The worker's host in Node for tests: a `TrainerHost` reading the shipped files from disk, the
 * events it sends kept in order, and `of(type)` to pick events of one type.
 */
import { diskLoaders } from '../../../scripts/node/diskSources';
import { TrainerHost } from '$lib/trainer/worker/host';
import type { RunSpec, TrainerEvent } from '$lib/trainer/protocol';

export function hostHarness() {
	const events: TrainerEvent[] = [];
	const host = new TrainerHost(
		(e) => void events.push(e),
		() => diskLoaders()
	);
	const of = <T extends TrainerEvent['type']>(type: T) =>
		events.filter((e): e is Extract<TrainerEvent, { type: T }> => e.type === type);
	return { host, events, of };
}

/** A short LoRA run on the small shift: the host tests' usual spec. */
export const HOST_SPEC = {
	task: { kind: 'digits', task: 'affine-small', strength: 1 },
	method: 'lora' as const,
	rank: 4,
	alpha: 8,
	lr: 3e-3,
	batchSize: 32,
	seed: 5
} satisfies RunSpec;
