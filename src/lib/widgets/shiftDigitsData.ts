/**
 * The heavy half of the shift lab's pictures, loaded only when a figure nears the screen: fetch
 * and check the shipped digits, take the course's fixed held-out split and keep the few images the
 * dial shows (`exampleSet`). A lesson has several shift figures; they share one download.
 */
import { splitDigits, type DigitsSet } from '$lib/model/data/digits';
import { loadDigits } from '$lib/trainer/assets';
import { exampleSet } from './shiftDigits';

const loaded = new Map<string, Promise<DigitsSet>>();

/** The clean example images, from the digits under `assets` (the site's asset base, ending in `/`). */
export function loadExamples(assets: string): Promise<DigitsSet> {
	let p = loaded.get(assets);
	if (!p) {
		p = loadDigits(assets).then((all) => exampleSet(splitDigits(all).test));
		// A failed download is not kept, so the next figure may try again.
		p.catch(() => loaded.delete(assets));
		loaded.set(assets, p);
	}
	return p;
}
