/**
 * A `TrainerHost` for ladder tests: its digits from `digits`, its events pushed to `events`; a
 * ladder asks for no base model and no text, so those loaders throw.
 */
import type { parseDigits } from '$lib/model/data/digits';
import { TrainerHost } from '$lib/trainer/worker/host';
import type { TrainerEvent } from '$lib/trainer/protocol';

export function ladderHost(
	events: TrainerEvent[],
	digits: ReturnType<typeof parseDigits>
): TrainerHost {
	return new TrainerHost(
		(e) => void events.push(e),
		() => ({
			digits: async () => digits,
			base: async () => {
				throw new Error('a ladder needs no base model');
			},
			text: async () => {
				throw new Error('a ladder needs no text');
			}
		})
	);
}
