/**
 * `sitemap.xml`: every page of the course (see `$lib/server/sitemap`), prerendered with the base
 * path. A sitemap needs absolute addresses: the origin is SITE_ORIGIN at build time, or where
 * `npm start` serves the course.
 */
import { BASE_PATH, LOCAL_ORIGIN, SITE_ORIGIN } from '$lib/server/site';
import { sitemapPaths } from '$lib/server/sitemap';

export const prerender = true;

const xml = (s: string) =>
	s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const GET = () => {
	const origin = SITE_ORIGIN ?? LOCAL_ORIGIN;
	const urls = sitemapPaths()
		.map((p) => `  <url><loc>${xml(`${origin}${BASE_PATH}${p}`)}</loc></url>`)
		.join('\n');
	const body = `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls}\n</urlset>\n`;
	return new Response(body, { headers: { 'content-type': 'application/xml' } });
};
