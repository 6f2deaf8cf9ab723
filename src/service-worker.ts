/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * The course offline, and cross-origin isolated on any static host. One visit stores the whole
 * course (app, every page, models, data, WebAssembly) in a cache named after the build; after
 * that it reads, and trains, with the network gone. The decisions live in `$lib/offline`.
 *
 *   install   store everything of this build (a cache per `version`); fail whole, or not at all.
 *             Not while only embedded figures are open: the first ordinary page stores it then.
 *   activate  delete this site's caches of earlier builds; take charge of the open page
 *   fetch     _app/immutable/*   cache first (content-hashed: never stale)
 *             pages              network first, so a new deploy is seen; the cache when offline
 *             everything else    network first, the cache when offline
 *
 * Pages (except /embed/ ones) and worker scripts get COOP/COEP added when the server did not
 * send them, so WebAssembly can use threads from a reader's second visit on.
 */
import { base, build, files, prerendered, version } from '$service-worker';
import {
	cacheName,
	isEmbedPage,
	isImmutable,
	networkOrStored,
	notFoundPage,
	PAGE_WAIT_MS,
	pageKey,
	precacheList,
	shouldIsolate,
	shouldStore,
	staleCaches,
	withIsolation
} from '$lib/offline';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = cacheName(base, version);

/** The files SvelteKit's lists miss (worker bundles and their WebAssembly), written at build. */
async function extraFiles(): Promise<string[]> {
	const r = await fetch(`${base}/offline-files.json`, { cache: 'no-cache' });
	if (!r.ok) throw new Error(`offline-files.json: HTTP ${r.status}`);
	return ((await r.json()) as string[]).map((f) => `${base}/${f}`);
}

/** Whether this build is stored in full: `cache.addAll` stores all of its list or nothing. */
async function isStored(): Promise<boolean> {
	return (await (await caches.open(CACHE)).match(`${base}/offline-files.json`)) !== undefined;
}

let storing: Promise<void> | undefined;

/** Store everything of this build, once (a failed try may be tried again). */
function store(): Promise<void> {
	storing ??= (async () => {
		const list = precacheList({ build, files, prerendered, extra: await extraFiles() });
		const cache = await caches.open(CACHE);
		// Revalidate what is not content-hashed: a host's HTTP cache may still hold the last build's.
		await cache.addAll(
			list.map((u) => new Request(u, { cache: isImmutable(u, base) ? 'default' : 'no-cache' }))
		);
	})().catch((e) => {
		storing = undefined;
		throw e;
	});
	return storing;
}

sw.addEventListener('install', (event) => {
	event.waitUntil(
		(async () => {
			// Only embedded figures open (in other sites' iframes): store nothing yet.
			const open = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
			const urls = open.map((c) => c.url);
			if (shouldStore(urls, base)) await store();
		})()
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const name of staleCaches(await caches.keys(), base, version)) await caches.delete(name);
			await sw.clients.claim();
		})()
	);
});

/** A content-hashed file: from the cache, else from the network (and kept). */
async function cacheFirst(request: Request): Promise<Response> {
	const cache = await caches.open(CACHE);
	const hit = await cache.match(request);
	if (hit) return hit;
	const response = await fetch(request);
	if (response.status === 200) await cache.put(request, response.clone());
	return response;
}

/**
 * A page: from the network (and kept, without its query), else the stored copy; the stored copy
 * too when the network has not answered within PAGE_WAIT_MS (a hanging wifi).
 */
async function page(request: Request, url: URL): Promise<Response> {
	const cache = await caches.open(CACHE);
	const key = pageKey(url);
	const stored = async () =>
		(await cache.match(key)) ?? (key.endsWith('/') ? undefined : await cache.match(`${key}/`));
	const network = fetch(request).then(async (response) => {
		if (response.status === 200 && response.type === 'basic')
			await cache.put(key, response.clone());
		return response;
	});
	try {
		return await networkOrStored(network, stored, PAGE_WAIT_MS);
	} catch (e) {
		const hit = await stored();
		if (hit) return hit;
		const missing = await cache.match(`${base}/404.html`);
		if (!missing) throw e;
		return new Response(notFoundPage(await missing.text(), base), {
			status: 404,
			headers: { 'content-type': 'text/html; charset=utf-8' }
		});
	}
}

/** Anything else: from the network, else the stored copy (the query ignored). */
async function networkFirst(request: Request): Promise<Response> {
	try {
		return await fetch(request);
	} catch (e) {
		const hit = await (await caches.open(CACHE)).match(request, { ignoreSearch: true });
		if (hit) return hit;
		throw e;
	}
}

sw.addEventListener('fetch', (event) => {
	const { request } = event;
	const url = new URL(request.url);
	if (request.method !== 'GET' || url.origin !== sw.location.origin) return;
	if (!url.pathname.startsWith(`${base}/`)) return;
	if (request.headers.has('range')) return;

	if (request.mode === 'navigate') {
		// An ordinary page stores the course if an embedded figure's visit installed this worker.
		if (!isEmbedPage(url.pathname, base))
			event.waitUntil(
				isStored().then((done) => (done ? undefined : store().catch(() => undefined)))
			);
		event.respondWith(
			page(request, url).then((r) => (shouldIsolate(url.pathname, base) ? withIsolation(r) : r))
		);
	} else if (request.destination === 'worker' || request.destination === 'sharedworker') {
		// A worker of an isolated page must itself say require-corp, or it is refused.
		const get = isImmutable(url.pathname, base) ? cacheFirst : networkFirst;
		event.respondWith(get(request).then((r) => withIsolation(r, ['cross-origin-embedder-policy'])));
	} else if (isImmutable(url.pathname, base)) {
		event.respondWith(cacheFirst(request));
	} else {
		event.respondWith(networkFirst(request));
	}
});
