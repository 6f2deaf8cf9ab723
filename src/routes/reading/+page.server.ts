import { lessons, summaries } from '$lib/server/lessons';
import type { Reference } from '$lib/lessons';
import { RESOURCES, SECTIONS } from './entries';

/**
 * The further-reading page's data: each annotated paper joined to its entry in the lessons'
 * reference lists, so that titles, authors and links read as they do in the lessons. A key no
 * lesson lists fails the build.
 */
export const load = () => {
	const all = new Map<string, Reference>();
	for (const l of lessons) for (const r of l.references) if (!all.has(r.id)) all.set(r.id, r);
	const sections = SECTIONS.map((s) => ({
		...s,
		papers: s.papers.map((p) => {
			const ref = all.get(p.key);
			if (!ref) throw new Error(`reading: no lesson lists the reference "${p.key}"`);
			return { ...p, ref };
		})
	}));
	return { sections, resources: RESOURCES, lessonList: summaries() };
};
