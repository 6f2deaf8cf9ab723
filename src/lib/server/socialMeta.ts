/**
 * Social-preview tags (Open Graph, read by most chat apps and sites that unfurl links) for every
 * page, made from what the page already says about itself: its `<title>` and its
 * `<meta name="description">`. `hooks.server.ts` runs this on each prerendered page, so a new
 * page gets its preview by having a title and a description, with nothing else to keep in step.
 */

/** Site name shown by previews, and the suffix page titles end with. */
export const SITE_NAME = 'Why PEFT';

/** The course's one real picture, shipped in static/, as previews' image. */
export const PREVIEW_IMAGE = {
	path: '/screenshot.png',
	width: 1280,
	height: 900,
	alt: 'A lesson of Why PEFT: its title, lead, contents and opening paragraphs in the reading layout'
};

/** Where a page sits, for the tags that need it. */
export interface PageWhere {
	/** The page's path with the base path, as served (`/why-peft/lessons/why-peft/`). */
	pathname: string;
	/** The base path (`''` or `/why-peft`). */
	base: string;
	/** The public origin, if known; without it no tag holds an absolute address. */
	origin?: string;
}

const attr = (s: string) => s.replace(/&(?![a-z]+;|#\d+;)/gi, '&amp;').replace(/"/g, '&quot;');

/**
 * The page `html` with social-preview tags added at the end of its head; unchanged if it has no
 * title or no description (the browser test of every page then fails on the missing tags).
 * `og:title` is the page's title without the site-name suffix; lessons are `article`s, other
 * pages `website`. `og:url` and `og:image` need the origin.
 */
export function addSocialMeta(html: string, where: PageWhere): string {
	const title = /<title>([^<]*)<\/title>/i.exec(html)?.[1]?.trim();
	const description = /<meta name="description" content="([^"]*)"/i.exec(html)?.[1]?.trim();
	if (!title || !description || html.includes('property="og:title"')) return html;
	const shortTitle = title.replace(new RegExp(`\\s*·\\s*${SITE_NAME}$`), '') || title;
	const isLesson = where.pathname.startsWith(`${where.base}/lessons/`);
	const tags: [string, string][] = [
		['og:site_name', SITE_NAME],
		['og:type', isLesson ? 'article' : 'website'],
		['og:title', shortTitle],
		['og:description', description]
	];
	if (where.origin) {
		tags.push(
			['og:url', `${where.origin}${where.pathname}`],
			['og:image', `${where.origin}${where.base}${PREVIEW_IMAGE.path}`],
			['og:image:width', String(PREVIEW_IMAGE.width)],
			['og:image:height', String(PREVIEW_IMAGE.height)],
			['og:image:alt', PREVIEW_IMAGE.alt]
		);
	}
	const card = where.origin ? 'summary_large_image' : 'summary';
	const head =
		tags.map(([p, c]) => `<meta property="${p}" content="${attr(c)}">`).join('') +
		`<meta name="twitter:card" content="${card}">`;
	return html.replace(/<\/head>/i, `${head}</head>`);
}
