/**
 * The service worker's decisions, as pure functions so that Node can test them
 * (`src/service-worker.ts` is only the wiring): what to precache, which caches are ours and
 * stale, which requests are cache-first, and which responses it makes cross-origin isolated.
 *
 * A static host such as GitHub Pages cannot send headers, so a page there is never
 * cross-origin isolated, and tfjs and our kernels run WebAssembly on one thread. The service
 * worker adds the two headers (`Cross-Origin-Opener-Policy: same-origin`,
 * `Cross-Origin-Embedder-Policy: require-corp`) to the pages it serves, so from a reader's second
 * visit on the pages train on every core. The first visit is not isolated: no forced reload.
 */

/** The headers that make a page cross-origin isolated (scripts/serve.js `--isolate` sends them). */
export const ISOLATION_HEADERS = {
	'cross-origin-opener-policy': 'same-origin',
	'cross-origin-embedder-policy': 'require-corp'
} as const;

/**
 * Prefix of this site's cache names. It carries the base path: two sites on one origin (two
 * GitHub Pages projects of one account) share one cache storage, and neither may delete the
 * other's caches.
 */
export function cachePrefix(base: string): string {
	return `why-peft ${base || '/'} `;
}

/** The cache of one build: a new build (new `version`) gets a new, complete cache. */
export function cacheName(base: string, version: string): string {
	return cachePrefix(base) + version;
}

/** Caches of this site's earlier builds, to delete once the new build's worker is active. */
export function staleCaches(names: readonly string[], base: string, version: string): string[] {
	const current = cacheName(base, version);
	return names.filter((n) => n.startsWith(cachePrefix(base)) && n !== current);
}

/**
 * Everything one visit stores for offline use, without repeats: the app's own files (`build`),
 * the static files (models, data, icons: `files`), every prerendered page and its data
 * (`prerendered`) and the files SvelteKit's lists miss (`extra`: the trainer's worker bundles
 * and the WebAssembly files they load, which Vite builds outside the client manifest). KaTeX's
 * fonts also ship as .woff and .ttf for browsers without woff2; every browser with a service
 * worker reads woff2, so those are left out (about 0.9 MB).
 */
export function precacheList(lists: {
	build: readonly string[];
	files: readonly string[];
	prerendered: readonly string[];
	extra: readonly string[];
}): string[] {
	const all = [
		...lists.build,
		...lists.files,
		...lists.prerendered.map(prerenderedFile),
		...lists.extra
	];
	return [...new Set(all.filter((u) => !/\.(woff|ttf)$/.test(u)))];
}

/**
 * The address of a prerendered path's file. A page without a trailing slash (the 404 page,
 * `/404`) is written as `404.html`; hosts differ in what they answer for `/404` (a folder
 * `404/` holds its data), so ask for the file itself.
 */
export function prerenderedFile(path: string): string {
	const last = path.slice(path.lastIndexOf('/') + 1);
	return last === '' || last.includes('.') ? path : `${path}.html`;
}

/** Content-hashed files that never change under one name: served from the cache first. */
export function isImmutable(pathname: string, base: string): boolean {
	return pathname.startsWith(`${base}/_app/immutable/`);
}

/** Whether `pathname` is an embeddable figure's page (`/embed/…`), made for other sites' iframes. */
export function isEmbedPage(pathname: string, base: string): boolean {
	const path = pathname.slice(base.length);
	return pathname.startsWith(`${base}/`) && (path === '/embed' || path.startsWith('/embed/'));
}

/**
 * Whether the service worker makes a page at `pathname` cross-origin isolated. Every page of the
 * site except the embeddable figures under `/embed/`: those are meant for iframes on other
 * sites, and a page that demands `require-corp` of its embedder's world, or severs
 * `window.opener` with COOP, would break there. Keep this exclusion.
 */
export function shouldIsolate(pathname: string, base: string): boolean {
	return pathname.startsWith(`${base}/`) && !isEmbedPage(pathname, base);
}

/**
 * Whether to store the whole course now, given the addresses of the pages open on the site. Not
 * when every one is an embedded figure: a figure in a course platform's iframe would otherwise
 * make each student's browser fetch 17 MB. The first ordinary page stores it instead.
 */
export function shouldStore(pageUrls: readonly string[], base: string): boolean {
	return !pageUrls.length || pageUrls.some((u) => !isEmbedPage(new URL(u).pathname, base));
}

/**
 * `response` with the isolation headers it lacks added (the server's own, when it sent them,
 * stay). Redirects, opaque and error responses come back as they are: they cannot be rebuilt.
 * @param only the headers to add (a worker script needs only the embedder policy)
 */
export function withIsolation(
	response: Response,
	only: readonly (keyof typeof ISOLATION_HEADERS)[] = [
		'cross-origin-opener-policy',
		'cross-origin-embedder-policy'
	]
): Response {
	if (response.type === 'opaque' || response.type === 'opaqueredirect') return response;
	if (response.status < 200) return response;
	const missing = only.filter((h) => !response.headers.has(h));
	if (missing.length === 0) return response;
	const headers = new Headers(response.headers);
	for (const h of missing) headers.set(h, ISOLATION_HEADERS[h]);
	const body = [204, 205, 304].includes(response.status) ? null : response.body;
	return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * The cache key of a page: its path without the query, which a static page ignores
 * (`lab/?backend=wasm` is `lab/`). Navigations are stored and found by it.
 */
export function pageKey(url: URL): string {
	return url.origin + url.pathname;
}

/**
 * The stored 404 page, made to work at any depth: its links and styles are relative to the
 * site's root, so it gets a `<base>` there (as scripts/serve.js does for the page it sends).
 */
export function notFoundPage(html: string, base: string): string {
	return html.replace(/<head>/i, `<head><base href="${base}/">`);
}

/**
 * How long a page request waits for the network before a stored copy answers instead: on wifi
 * that hangs rather than fails, the browser's own timeout is a minute or more.
 */
export const PAGE_WAIT_MS = 4000;

/**
 * `network`, unless it has not settled within `ms`: then the stored copy from `stored()`, if
 * there is one (the network request goes on, so it can still refresh the cache), else still
 * `network`. A network failure before `ms` rejects as `network` does.
 */
export async function networkOrStored<T>(
	network: Promise<T>,
	stored: () => Promise<T | undefined>,
	ms: number
): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const slow = new Promise<'slow'>((resolve) => (timer = setTimeout(() => resolve('slow'), ms)));
	try {
		const first = await Promise.race([network, slow]);
		if (first !== 'slow') return first as T;
	} finally {
		clearTimeout(timer);
	}
	const hit = await stored();
	if (hit === undefined) return network;
	network.catch(() => {});
	return hit;
}
