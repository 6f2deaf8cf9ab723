/**
 * The heavy half of the shift lab's pictures, loaded only when the figure nears the screen: fetch
 * and check the shipped digits, take the course's fixed held-out split and keep the few images the
 * dial shows (`exampleSet`).
 */
import { splitDigits, type DigitsSet } from '$lib/model/data/digits';
import { loadDigits } from '$lib/trainer/assets';
import { exampleSet } from './shiftDigits';

/** The clean example images, from the digits under `assets` (the site's asset base, ending in `/`). */
export async function loadExamples(assets: string): Promise<DigitsSet> {
	return exampleSet(splitDigits(await loadDigits(assets)).test);
}
