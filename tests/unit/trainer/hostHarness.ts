/**
 * The worker's host in Node for tests: a `TrainerHost` reading the shipped files from disk, the
 * events it sends kept in order, and `of(type)` to pick events of one type.
 */
import { diskLoaders } from '$lib/trainer/diskSources';
import { TrainerHost } from '$lib/trainer/host';
import type { Event } from '$lib/trainer/protocol';

export function hostHarness() {
	const events: Event[] = [];
	const host = new TrainerHost(
		(e) => void events.push(e),
		() => diskLoaders()
	);
	const of = <T extends Event['type']>(type: T) =>
		events.filter((e): e is Extract<Event, { type: T }> => e.type === type);
	return { host, events, of };
}
