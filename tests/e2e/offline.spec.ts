/**
 * The course offline, through its service worker (src/service-worker.ts), in one browser context
 * that allows service workers (every other test blocks them; see `getBrowser`). One visit to a
 * lesson stores the whole course: every page, the app, the worker bundles and their WebAssembly,
 * the models and the data. With the network cut, the lab loads and trains and another lesson
 * reads. The test server sends no isolation headers, as a static host such as GitHub Pages
 * cannot; the worker adds them, so from the second load on pages are cross-origin isolated
 * (WebAssembly threads), except the embeddable figures under /embed/.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, siteUrl, waitFor, type PageLog } from './browser';
import { TEST_BUILD_DIR } from './globalSetup';
import { allPages } from './pages';
import { text } from './read';

/** Every file under `dir` of the test build, as a site path (`models/x.bin`). */
function filesUnder(dir: string): string[] {
	const walk = (d: string): string[] =>
		readdirSync(d, { withFileTypes: true }).flatMap((e) =>
			e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]
		);
	return walk(join(TEST_BUILD_DIR, dir)).map((f) =>
		relative(TEST_BUILD_DIR, f).split(sep).join('/')
	);
}

const isolated = (page: Page) => page.evaluate(() => self.crossOriginIsolated);

/** Whether the service worker's cache holds the whole build (its list is stored all or not). */
const storedInFull = (page: Page) =>
	page.evaluate(async (marker) => {
		const names = await caches.keys();
		if (names.length !== 1) return false;
		return (await (await caches.open(names[0])).match(marker)) !== undefined;
	}, siteUrl('offline-files.json'));

/** The prerendered embed pages (figures alone, for other sites' iframes), if the build has any. */
const embeds = existsSync(join(TEST_BUILD_DIR, 'embed'))
	? readdirSync(join(TEST_BUILD_DIR, 'embed')).filter((d) =>
			existsSync(join(TEST_BUILD_DIR, 'embed', d, 'index.html'))
		)
	: [];

let page: Page;
let log: PageLog;
let close: () => Promise<void>;
const wasmFiles: string[] = [];

beforeAll(async () => {
	({ page, log, close } = await openPage('lessons/why-peft/', { serviceWorkers: 'allow' }));
	page.context().on('request', (r) => {
		const m = /\/(tfjs-backend-wasm[-a-z]*)-[\w-]+\.wasm$/.exec(new URL(r.url()).pathname);
		if (m) wasmFiles.push(m[1]);
	});
	// Installed means stored: the worker activates only once every file is in its cache.
	await page.evaluate(() => navigator.serviceWorker.ready);
	await waitFor(page, () => page.evaluate(() => navigator.serviceWorker.controller !== null));
});

afterAll(async () => {
	await page.context().setOffline(false);
	await close();
});

describe('the course offline', () => {
	it('is not isolated on the first visit: the server sends no isolation headers', async () => {
		const head = await fetch(siteUrl('lessons/why-peft/'));
		expect(head.headers.get('cross-origin-opener-policy')).toBeNull();
		expect(await isolated(page)).toBe(false);
		// Installable: Chromium finds nothing wrong but the test's private (incognito) context.
		const cdp = await page.context().newCDPSession(page);
		expect((await cdp.send('Page.getAppManifest')).errors).toEqual([]);
		const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
		expect(installabilityErrors.map((e) => e.errorId)).toEqual(['in-incognito']);
		await cdp.detach();
	});

	it('stores every page, the app, its WebAssembly, the models and the data in one visit', async () => {
		const stored = await page.evaluate(async () => {
			const names = await caches.keys();
			const requests = await (await caches.open(names[0])).keys();
			return { names, urls: requests.map((r) => r.url) };
		});
		expect(await storedInFull(page)).toBe(true);
		expect(stored.names).toHaveLength(1);
		expect(stored.names[0]).toMatch(/^why-peft \/why-peft \d+$/);
		const want = [
			...allPages(),
			...filesUnder('_app/immutable').filter((f) => !/\.(woff|ttf)$/.test(f)),
			...filesUnder('models'),
			...filesUnder('data')
		].map((p) => siteUrl(p));
		expect(want.filter((u) => u.endsWith('.wasm')).length).toBeGreaterThanOrEqual(3);
		expect(want.filter((u) => !stored.urls.includes(u))).toEqual([]);
	});

	it('opens the lab and trains there with the network gone, on WebAssembly threads', async () => {
		await page.context().setOffline(true);
		const fromNetwork: string[] = [];
		page.on('response', (r) => {
			if (r.url().startsWith('http') && !r.fromServiceWorker()) fromNetwork.push(r.url());
		});
		const steps = 40;
		await page.goto(siteUrl(`lab/?backend=wasm&steps=${steps}&lr=0.01`));
		expect(await isolated(page)).toBe(true);
		const train = page.getByRole('button', { name: 'Train' });
		await waitFor(page, () => train.isEnabled(), 30_000);
		await train.click();
		await waitFor(page, async () => Number(await text(page, 'step')) >= steps, 30_000);
		const curve = page.getByTestId('loss-curve');
		expect(Number(await curve.getAttribute('data-last'))).toBeLessThan(
			Number(await curve.getAttribute('data-first'))
		);
		expect(await page.locator('[data-backend]').getAttribute('data-backend')).toBe('wasm');
		expect(wasmFiles).toContain('tfjs-backend-wasm-threaded-simd');

		await page.goto(siteUrl('lessons/low-rank-updates/#low-rank-updates'));
		expect(await page.locator('h1').first().innerText()).toMatch(/\w{4,}/);
		expect(await isolated(page)).toBe(true);
		expect(fromNetwork).toEqual([]);
		expect(log.consoleErrors).toEqual([]);
		expect(log.failedRequests).toEqual([]);
	});

	it('leaves pages under /embed/ not isolated, for iframes on other sites', async () => {
		// Offline, an unknown address gets the stored 404 page; isolated or not by its path alone.
		const missing = await page.goto(siteUrl('no-such-page/'));
		expect(missing?.status()).toBe(404);
		expect(await page.locator('h1').first().innerText()).toMatch(/no page here/i);
		// Its styles load from the site's root, whatever the depth.
		expect(await page.evaluate(() => document.styleSheets.length)).toBeGreaterThan(0);
		expect(await isolated(page)).toBe(true);
		await page.goto(siteUrl('embed/no-such-figure/'));
		expect(await isolated(page)).toBe(false);
	});

	it.skipIf(embeds.length === 0)(
		'stores nothing for an embedded figure alone, and the course at the first ordinary page',
		async () => {
			const embed = await openPage(`embed/${embeds[0]}/`, { serviceWorkers: 'allow' });
			try {
				const p = embed.page;
				await p.evaluate(() => navigator.serviceWorker.ready);
				await waitFor(p, () => p.evaluate(() => navigator.serviceWorker.controller !== null));
				expect(await storedInFull(p)).toBe(false);
				await p.reload();
				expect(await p.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
				expect(await isolated(p)).toBe(false);
				await p.goto(siteUrl('glossary/'));
				await waitFor(p, () => storedInFull(p), 30_000);
				expect(embed.log.consoleErrors).toEqual([]);
			} finally {
				await embed.close();
			}
		}
	);
});
