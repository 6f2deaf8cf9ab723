/**
 * Runs on every page as it is prerendered: adds the social-preview tags each page's own title
 * and description imply (see `$lib/server/socialMeta`).
 */
import type { Handle } from '@sveltejs/kit';
import { BASE_PATH, SITE_ORIGIN } from '$lib/server/site';
import { addSocialMeta } from '$lib/server/socialMeta';

export const handle: Handle = ({ event, resolve }) =>
	resolve(event, {
		transformPageChunk: ({ html }) =>
			addSocialMeta(html, { pathname: event.url.pathname, base: BASE_PATH, origin: SITE_ORIGIN })
	});
