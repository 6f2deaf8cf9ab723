/**
 * Embeds in real Chromium. Every figure frame in the lessons and the lab has an Embed link whose
 * page is in the build and may be framed by any site; the Embed code disclosure gives an
 * `<iframe>` for the page's current settings and copies it. Then a figure's embed page inside an
 * `<iframe>` on another origin (a parent page served from `localhost`, the site from 127.0.0.1),
 * plain and cross-origin isolated: the figure alone, no site header or footer, its settings taken
 * from the frame's query, and it trains when its Train button is pressed; no console error and no
 * Content-Security-Policy violation anywhere. The embed pages are left out of the per-page specs
 * (tests/e2e/pages.ts), so accessibility is checked here, in both themes.
 */
import { createServer, type Server } from 'node:http';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../../scripts/serve.js';
import { EMBEDS } from '$lib/ui/embeds';
import { getBrowser, openPage, seriousA11yViolations, siteUrl, waitFor } from './browser';
import { TEST_BASE, TEST_BUILD_DIR } from './globalSetup';
import { embedPages, lessonPages } from './pages';

/** The figure the iframe tests drive: lesson 4's spectrum, a short run of the planted task. */
const FIGURE = 'fig-spectrum';
const QUERY = '?spectrum-setup=planted&spectrum-steps=20&spectrum-backend=wasm';

/** Console errors and CSP violations of a page and every frame in it. */
async function watch(context: BrowserContext) {
	const page = await context.newPage();
	const errors: string[] = [];
	await page.addInitScript(() => {
		document.addEventListener('securitypolicyviolation', (e) =>
			console.error(`CSP: ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}`)
		);
	});
	page.on('console', (m) => {
		if (m.type() === 'error' || /content security policy|refused to/i.test(m.text()))
			errors.push(m.text().slice(0, 300));
	});
	page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
	return { page, errors };
}

describe('Embed links', () => {
	it(
		'every figure frame in the lessons and the lab links to its embed page, which exists and may be framed anywhere',
		{ timeout: 60_000 },
		async () => {
			// The links are in the prerendered HTML: read it without running the pages' scripts.
			const context = await (await getBrowser()).newContext({ javaScriptEnabled: false });
			const page = await context.newPage();
			const linked = new Map<string, string>();
			try {
				for (const path of [...lessonPages(), 'lab/']) {
					await page.goto(siteUrl(path), { waitUntil: 'domcontentloaded' });
					// Every figure frame (a titled figure) carries one Embed link, to its own page.
					const frames = await page.locator('figure:has(> .fig-title)').evaluateAll((fs) =>
						fs.map((f) => ({
							id: f.id,
							links: [...f.querySelectorAll(':scope > [data-testid="embed"] a')].map(
								(a) => (a as HTMLAnchorElement).href
							)
						}))
					);
					for (const f of frames) {
						expect(f.links, `${path}#${f.id}`).toEqual([siteUrl(`embed/${f.id}/`)]);
						linked.set(f.id, f.links[0]);
					}
					// Lesson 1's chart draws its own frame; it has the link too.
					for (const a of await page.getByTestId('embed-link').all()) {
						const [id, href] = await a.evaluate((el) => [
							el.closest('figure')!.id,
							(el as HTMLAnchorElement).href
						]);
						expect(href, id).toBe(siteUrl(`embed/${id}/`));
						linked.set(id, href);
					}
				}
				// Each embeddable figure is linked from its page, and nothing else is.
				expect([...linked.keys()].sort()).toEqual(Object.keys(EMBEDS).sort());
				expect(
					embedPages()
						.map((p) => p.split('/')[1])
						.sort()
				).toEqual(Object.keys(EMBEDS).sort());
				const answers = await Promise.all(
					[...linked.keys()].map(async (id) => [id, await fetch(siteUrl(`embed/${id}/`))] as const)
				);
				for (const [id, r] of answers) {
					expect(r.status, id).toBe(200);
					expect(r.headers.get('content-security-policy'), id).toBe('frame-ancestors *');
					const html = await r.text();
					expect(html, id).toContain(`id="${id}"`);
					// The site's header and footer are left out (hidden, so not in the page's outline).
					expect(html, id).toMatch(/<header class="site[^"]*"[^>]*hidden/);
					expect(html, id).toMatch(/<footer class="site[^"]*"[^>]*hidden/);
				}
			} finally {
				await context.close();
			}
		}
	);

	it(
		"gives iframe code for the figure's current settings, copies it, and is reachable by keyboard",
		{ timeout: 60_000 },
		async () => {
			const { page, log, close } = await openPage('lessons/low-rank-updates/?spectrum-steps=40', {
				permissions: ['clipboard-read', 'clipboard-write']
			});
			try {
				const fig = page.locator(`#${FIGURE}`);
				const link = fig.getByTestId('embed-link');
				await link.scrollIntoViewIfNeeded();
				expect(await link.isVisible()).toBe(true);
				// The reader changes a setting; the link and the code carry the new one.
				const steps = fig.getByLabel('Steps', { exact: true });
				await waitFor(page, async () => (await steps.inputValue()) === '40');
				await steps.fill('50');
				await steps.press('Tab');
				await waitFor(page, () => page.url().includes('spectrum-steps=50'));
				// By keyboard: the link sits just before the code's disclosure in the tab order.
				const summary = fig.locator('summary', { hasText: 'Embed code' });
				await summary.focus();
				await page.keyboard.press('Shift+Tab');
				expect(await link.evaluate((el) => el === document.activeElement)).toBe(true);
				await waitFor(page, async () =>
					/^[^?]*embed\/fig-spectrum\/\?(.*&)?spectrum-steps=50/.test(
						(await link.getAttribute('href')) ?? ''
					)
				);
				await page.keyboard.press('Tab');
				await page.keyboard.press('Enter');
				// The code is written by the disclosure's toggle event, which comes a task later.
				const area = fig.getByTestId('embed-code');
				await waitFor(page, async () => (await area.inputValue()) !== '');
				const code = await area.inputValue();
				const src = siteUrl(`embed/${FIGURE}/`).replace(/[?.]/g, '\\$&');
				expect(code).toMatch(
					new RegExp(
						`^<iframe src="${src}\\?[^"]*spectrum-steps=50[^"]*" title="Figure 2\\. The spectrum of a weight update, live · Why PEFT" width="960" height="\\d+0" style="max-width: 100%; border: 0" loading="lazy"></iframe>$`
					)
				);
				const height = Number(/height="(\d+)"/.exec(code)![1]);
				expect(height).toBeGreaterThanOrEqual(360);
				expect(height).toBeLessThanOrEqual(1600);
				await fig.getByRole('button', { name: 'Copy the embed code' }).click();
				await waitFor(page, async () =>
					(await fig.getByTestId('embed').innerText()).includes('Copied')
				);
				expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);
				expect(log.consoleErrors).toEqual([]);
			} finally {
				await close();
			}
		}
	);
});

describe('a figure inside an iframe on another site', () => {
	let parent: Server;
	let parentPort: number;
	/** Where the parent page frames the embed from; set by each test. */
	let frameSrc = '';

	beforeAll(async () => {
		parent = createServer((_req, res) => {
			res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
			res.end(
				`<!doctype html><html lang="en"><title>A class page</title><h1>A class page</h1>` +
					`<iframe src="${frameSrc}" title="A figure from Why PEFT" width="960" height="900"></iframe></html>`
			);
		});
		await new Promise<void>((ok) => parent.listen(0, 'localhost', ok));
		parentPort = (parent.address() as { port: number }).port;
	});
	afterAll(async () => {
		await new Promise((ok) => parent.close(ok));
	});

	/** The embed frame of the parent page, once its figure is on screen. */
	async function openFramed(page: Page, siteRoot: string): Promise<Frame> {
		frameSrc = `${siteRoot}embed/${FIGURE}/${QUERY}`;
		await page.goto(`http://localhost:${parentPort}/`);
		await waitFor(page, () => page.frames().some((f) => f.url() === frameSrc));
		const frame = page.frames().find((f) => f.url() === frameSrc)!;
		await frame.locator(`#${FIGURE}`).waitFor();
		return frame;
	}

	for (const isolate of [false, true]) {
		it(
			`shows the figure alone with the URL's settings and trains${isolate ? ' (site served cross-origin isolated)' : ''}`,
			{ timeout: 120_000 },
			async () => {
				const server = isolate
					? await serve({ dir: TEST_BUILD_DIR, base: TEST_BASE, port: 0, isolate: true })
					: undefined;
				const context = await (
					await getBrowser()
				).newContext({
					viewport: { width: 1100, height: 1000 },
					// As a reader's browser has them: a framed figure must not register one (where
					// third-party storage is blocked, registering throws in the other site's page).
					serviceWorkers: 'allow'
				});
				const { page, errors } = await watch(context);
				try {
					const root = server?.url ?? siteUrl('');
					expect(new URL(root).origin).not.toBe(`http://localhost:${parentPort}`);
					const frame = await openFramed(page, root);
					const fig = frame.locator(`#${FIGURE}`);
					// Alone: no site header, footer, contents or Embed link of its own.
					expect(await frame.locator('header.site').isVisible()).toBe(false);
					expect(await frame.locator('footer.site').isVisible()).toBe(false);
					expect(await frame.locator('nav:visible').count()).toBe(0);
					expect(await frame.getByTestId('embed-link').count()).toBe(0);
					// No service worker registered from inside the frame.
					expect(context.serviceWorkers()).toEqual([]);
					// The settings in the frame's query are the figure's.
					const steps = fig.getByLabel('Steps', { exact: true });
					await waitFor(page, async () => (await steps.inputValue()) === '20');
					expect(await fig.getByLabel('Model and task').inputValue()).toBe('planted');
					expect(await fig.getByLabel('Backend').inputValue()).toBe('wasm');
					// The credit links back to the figure in its lesson, with the same settings.
					const credit = frame.getByTestId('embed-credit');
					expect(await credit.innerText()).toMatch(
						/^from Why PEFT — The low-rank structure of weight updates/
					);
					expect(await credit.getAttribute('target')).toBe('_blank');
					expect(await credit.evaluate((a) => (a as HTMLAnchorElement).href)).toBe(
						`${root}lessons/low-rank-updates/${QUERY}#${FIGURE}`
					);
					// It trains, in the other site's page.
					const train = fig.getByRole('button', { name: 'Train', exact: true });
					await waitFor(page, () => train.isEnabled(), 60_000);
					await train.click();
					await waitFor(
						page,
						async () => (await fig.getByTestId('spectrum-status').innerText()).startsWith('Done'),
						90_000
					);
					expect(await fig.getByTestId('spectrum-status').getAttribute('data-backend')).toBe(
						'wasm'
					);
					expect(errors).toEqual([]);
				} finally {
					await context.close();
					await server?.close();
				}
			}
		);
	}
});

describe('an embed page alone', () => {
	for (const path of [`embed/${FIGURE}/${QUERY}`, 'embed/fig-growth/']) {
		it(`/${path} has no serious accessibility violation, light or dark`, async () => {
			const { page, log, close } = await openPage(path);
			try {
				expect(await page.locator('figure').count()).toBe(1);
				const backgrounds = new Set<string>();
				for (const colorScheme of ['light', 'dark'] as const) {
					await page.emulateMedia({ colorScheme });
					backgrounds.add(
						await page.evaluate(() => getComputedStyle(document.body).backgroundColor)
					);
					expect(await seriousA11yViolations(page), colorScheme).toEqual([]);
				}
				// The page follows the reader's theme (no switch of its own here).
				expect(backgrounds.size).toBe(2);
				expect(log.consoleErrors).toEqual([]);
				expect(log.failedRequests).toEqual([]);
			} finally {
				await close();
			}
		});
	}
});
