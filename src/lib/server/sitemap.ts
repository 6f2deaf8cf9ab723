/**
 * The pages a sitemap lists, found the way the router finds them: from the `+page.svelte` files
 * under src/routes (the lessons from the lesson index), so a new page is listed without anyone
 * remembering to.
 */
import { lessons } from '$lib/server/lessons';

/**
 * Pages no one should land on from a search: the page for unknown addresses, and each figure's
 * embed page (the figure alone, for other sites' iframes; its lesson is the page to find).
 */
const UNLISTED = new Set(['/404', '/embed/[figure]']);

const routes = Object.keys(import.meta.glob('/src/routes/**/+page.svelte'))
	.map((f) => f.replace(/^\/src\/routes/, '').replace(/\/\+page\.svelte$/, '') || '/')
	.map((id) => id.replace(/\/\([^)]+\)/g, '') || '/');

/** Site paths of every listed page, with a trailing slash and without the base path, sorted. */
export function sitemapPaths(): string[] {
	const paths = routes.flatMap((id) => {
		if (UNLISTED.has(id)) return [];
		if (id === '/lessons/[slug]') return lessons.map((l) => `/lessons/${l.slug}/`);
		if (id.includes('[')) throw new Error(`sitemap: no entries known for route ${id}`);
		return [id === '/' ? '/' : `${id}/`];
	});
	return [...new Set(paths)].sort();
}
