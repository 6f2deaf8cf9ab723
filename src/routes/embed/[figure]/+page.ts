import { error } from '@sveltejs/kit';
import { EMBEDS, isEmbeddable } from '$lib/ui/embeds';
import { FIGURES } from './registry';
import type { EntryGenerator } from './$types';

/** One prerendered page per embeddable figure. */
export const entries: EntryGenerator = () => Object.keys(EMBEDS).map((figure) => ({ figure }));

/** The figure's component (fetched by this page alone), its props, and the page it comes from. */
export const load = async ({ params, parent }) => {
	const id = params.figure;
	if (!isEmbeddable(id)) error(404, 'No such figure');
	const { lessons } = await parent();
	const home = EMBEDS[id];
	const lesson = home === 'lab' ? undefined : lessons.find((l) => l.slug === home.lesson);
	if (home !== 'lab' && !lesson) throw new Error(`embed ${id}: no lesson "${home.lesson}"`);
	const { default: component } = await FIGURES[id].load();
	return { id, component, props: FIGURES[id].props, heading: FIGURES[id].heading, lesson };
};
