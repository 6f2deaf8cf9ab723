import { error } from '@sveltejs/kit';
import { lessons } from '$lib/server/lessons';
import type { EntryGenerator } from './$types';

export const entries: EntryGenerator = () => lessons.map((l) => ({ slug: l.slug }));

export const load = ({ params }) => {
	const meta = lessons.find((l) => l.slug === params.slug);
	if (!meta) error(404, 'No such lesson');
	return { meta };
};
