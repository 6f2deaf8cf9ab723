import { lessons } from '$lib/server/lessons';
import type { Reference } from '$lib/lessons';

/**
 * The papers the summary cites, in the order it numbers them, taken from the lessons' own
 * reference lists so that a citation reads the same on every page. A key no lesson holds fails
 * the build.
 */
const KEYS = [
	'hu2021',
	'dettmers2023',
	'biderman2024',
	'benzaken2022',
	'kalajdzievski2023',
	'aghajanyan2020'
] as const;

export const load = () => {
	const all = lessons.flatMap((l) => l.references);
	const references: Reference[] = KEYS.map((key) => {
		const ref = all.find((r) => r.id === key);
		if (!ref) throw new Error(`summary: no lesson lists the reference "${key}"`);
		return ref;
	});
	return { references };
};
