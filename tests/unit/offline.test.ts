/**
 * The service worker's decisions ($lib/offline): which caches it deletes, what it stores, which
 * pages it makes cross-origin isolated (never an embed page), and what it adds to a response.
 */
import { describe, expect, it, vi } from 'vitest';
import {
	cacheName,
	isEmbedPage,
	isImmutable,
	networkOrStored,
	notFoundPage,
	PAGE_WAIT_MS,
	pageKey,
	precacheList,
	prerenderedFile,
	shouldIsolate,
	shouldStore,
	staleCaches,
	withIsolation
} from '$lib/offline';

describe('caches', () => {
	it('names a cache after the base path and the build', () => {
		expect(cacheName('/why-peft', '123')).toBe('why-peft /why-peft 123');
		expect(cacheName('', '123')).toBe('why-peft / 123');
	});

	it("deletes this site's earlier builds only, never another site's caches on the origin", () => {
		const names = [
			'why-peft /why-peft 1',
			'why-peft /why-peft 2',
			'why-peft /why-peft-2 1',
			'why-peft / 1',
			'some-other-app'
		];
		expect(staleCaches(names, '/why-peft', '2')).toEqual(['why-peft /why-peft 1']);
		expect(staleCaches(names, '', '2')).toEqual(['why-peft / 1']);
	});
});

describe('what one visit stores', () => {
	it('stores every list once, the 404 page as its file, and no legacy font formats', () => {
		const list = precacheList({
			build: ['/b/_app/immutable/entry/start.js', '/b/_app/immutable/assets/KaTeX_Main.woff2'],
			files: ['/b/models/digits5.bin', '/b/_app/immutable/assets/KaTeX_Main.woff'],
			prerendered: ['/b/', '/b/lab/', '/b/lab/__data.json', '/b/404', '/b/sitemap.xml'],
			extra: [
				'/b/_app/immutable/entry/start.js',
				'/b/_app/immutable/workers/trainer.worker-x.js',
				'/b/_app/immutable/workers/assets/tfjs-backend-wasm-simd-x.wasm',
				'/b/_app/immutable/assets/KaTeX_Main.ttf'
			]
		});
		expect(list).toEqual([
			'/b/_app/immutable/entry/start.js',
			'/b/_app/immutable/assets/KaTeX_Main.woff2',
			'/b/models/digits5.bin',
			'/b/',
			'/b/lab/',
			'/b/lab/__data.json',
			'/b/404.html',
			'/b/sitemap.xml',
			'/b/_app/immutable/workers/trainer.worker-x.js',
			'/b/_app/immutable/workers/assets/tfjs-backend-wasm-simd-x.wasm'
		]);
	});

	it('maps a prerendered path to its file', () => {
		expect(prerenderedFile('/why-peft/')).toBe('/why-peft/');
		expect(prerenderedFile('/why-peft/404')).toBe('/why-peft/404.html');
		expect(prerenderedFile('/why-peft/404/__data.json')).toBe('/why-peft/404/__data.json');
	});

	it('serves only content-hashed files cache-first', () => {
		expect(isImmutable('/why-peft/_app/immutable/chunks/a.js', '/why-peft')).toBe(true);
		expect(isImmutable('/why-peft/_app/version.json', '/why-peft')).toBe(false);
		expect(isImmutable('/why-peft/models/digits5.bin', '/why-peft')).toBe(false);
		expect(isImmutable('/_app/immutable/chunks/a.js', '/why-peft')).toBe(false);
	});

	it('keys a page by its path, without the query', () => {
		expect(pageKey(new URL('http://h:1/why-peft/lab/?backend=wasm#x'))).toBe(
			'http://h:1/why-peft/lab/'
		);
	});
});

describe('cross-origin isolation', () => {
	it('isolates every page of the site but the embeddable figures', () => {
		for (const [base, path, yes] of [
			['/why-peft', '/why-peft/', true],
			['/why-peft', '/why-peft/lab/', true],
			['/why-peft', '/why-peft/lessons/why-peft/', true],
			['/why-peft', '/why-peft/embeddings/', true],
			['/why-peft', '/why-peft/embed', false],
			['/why-peft', '/why-peft/embed/', false],
			['/why-peft', '/why-peft/embed/spectrum/', false],
			['/why-peft', '/elsewhere/', false],
			['', '/', true],
			['', '/lab/', true],
			['', '/embed/spectrum/', false]
		] as const) {
			expect(shouldIsolate(path, base), `${base} ${path}`).toBe(yes);
		}
	});

	it('adds the headers a response lacks and keeps the rest', async () => {
		const r = withIsolation(
			new Response('<p>page</p>', {
				status: 200,
				headers: { 'content-type': 'text/html', 'cross-origin-opener-policy': 'same-origin' }
			})
		);
		expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
		expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
		expect(r.headers.get('content-type')).toBe('text/html');
		expect(r.status).toBe(200);
		expect(await r.text()).toBe('<p>page</p>');

		const notFound = withIsolation(new Response('gone', { status: 404, statusText: 'Not Found' }));
		expect(notFound.status).toBe(404);
		expect(notFound.statusText).toBe('Not Found');
		expect(notFound.headers.get('cross-origin-opener-policy')).toBe('same-origin');
	});

	it('gives a worker script only the embedder policy, and leaves a complete response alone', () => {
		const worker = withIsolation(new Response('1'), ['cross-origin-embedder-policy']);
		expect(worker.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
		expect(worker.headers.has('cross-origin-opener-policy')).toBe(false);
		const done = new Response('x', {
			headers: {
				'cross-origin-opener-policy': 'same-origin',
				'cross-origin-embedder-policy': 'credentialless'
			}
		});
		expect(withIsolation(done)).toBe(done);
		const empty = withIsolation(new Response(null, { status: 204 }));
		expect(empty.status).toBe(204);
		expect(empty.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
		const failed = Response.error();
		expect(withIsolation(failed)).toBe(failed);
	});
});

describe('the stored 404 page', () => {
	it('gets a <base> at the site root, so it works at any depth', () => {
		expect(notFoundPage('<html><HEAD><title>x</title></HEAD></html>', '/why-peft')).toBe(
			'<html><head><base href="/why-peft/"><title>x</title></HEAD></html>'
		);
	});
});

describe('embedded figures', () => {
	it('knows an embed page by its path under the base', () => {
		expect(isEmbedPage('/why-peft/embed/spectrum/', '/why-peft')).toBe(true);
		expect(isEmbedPage('/why-peft/embed', '/why-peft')).toBe(true);
		expect(isEmbedPage('/why-peft/embeddings/', '/why-peft')).toBe(false);
		expect(isEmbedPage('/embed/spectrum/', '/why-peft')).toBe(false);
		expect(isEmbedPage('/embed/spectrum/', '')).toBe(true);
	});

	it('stores the course unless every open page is an embedded figure', () => {
		const at = (p: string) => `https://example.org/why-peft/${p}`;
		expect(shouldStore([at('lessons/why-peft/')], '/why-peft')).toBe(true);
		expect(shouldStore([at('embed/spectrum/'), at('lab/')], '/why-peft')).toBe(true);
		expect(shouldStore([at('embed/spectrum/')], '/why-peft')).toBe(false);
		expect(shouldStore([at('embed/a/'), at('embed/b/?rank=4')], '/why-peft')).toBe(false);
		// No page known (a worker updated in the background): store, as an ordinary visit would.
		expect(shouldStore([], '/why-peft')).toBe(true);
	});
});

describe('a page on a hanging network', () => {
	const never = () => new Promise<string>(() => {});

	it('takes the network answer when it comes in time', async () => {
		vi.useFakeTimers();
		try {
			const stored = vi.fn(async () => 'stored');
			const got = networkOrStored(Promise.resolve('network'), stored, PAGE_WAIT_MS);
			await expect(got).resolves.toBe('network');
			expect(stored).not.toHaveBeenCalled();
		} finally {
			vi.useRealTimers();
		}
	});

	it('answers from the store once the network has hung for the wait, and not before', async () => {
		vi.useFakeTimers();
		try {
			let done = '';
			const got = networkOrStored(never(), async () => 'stored', PAGE_WAIT_MS).then(
				(v) => (done = v)
			);
			await vi.advanceTimersByTimeAsync(PAGE_WAIT_MS - 1);
			expect(done).toBe('');
			await vi.advanceTimersByTimeAsync(1);
			await got;
			expect(done).toBe('stored');
		} finally {
			vi.useRealTimers();
		}
	});

	it('keeps waiting for the network when nothing is stored, and passes on its failure', async () => {
		vi.useFakeTimers();
		try {
			let fail: (e: Error) => void = () => {};
			const network = new Promise<string>((_, reject) => (fail = reject));
			const got = networkOrStored(network, async () => undefined, PAGE_WAIT_MS);
			const settled = expect(got).rejects.toThrow('offline');
			await vi.advanceTimersByTimeAsync(PAGE_WAIT_MS * 3);
			fail(new Error('offline'));
			await settled;
			// A failure before the wait ends rejects at once, for the caller's own fallback.
			await expect(
				networkOrStored(Promise.reject(new Error('refused')), async () => 'stored', 10)
			).rejects.toThrow('refused');
		} finally {
			vi.useRealTimers();
		}
	});
});
