/**
 * Checks every prerendered page in real Chromium: it renders, logs no console error, makes no
 * failed request and no request off this machine, passes axe-core with no serious or critical
 * violation in both themes, fits a 360 px phone, and stays under the JavaScript budget.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { allPages, lessonPages } from './pages';
import { jsGzipBytes, openPage, seriousA11yViolations } from './browser';

/** Gzipped JavaScript a lesson page may load before any widget starts. */
const JS_BUDGET_BYTES = 150 * 1024;

const pages = allPages();
const weights: Record<string, number> = {};

describe('every page', () => {
	it('includes the home page and at least one lesson', () => {
		expect(pages).toContain('');
		expect(lessonPages().length).toBeGreaterThanOrEqual(1);
	});

	for (const path of pages) {
		describe(`/${path}`, () => {
			for (const colorScheme of ['light', 'dark'] as const) {
				it(`renders cleanly and accessibly (${colorScheme})`, async () => {
					const { page, log, close } = await openPage(path, { colorScheme });
					try {
						expect(await page.locator('h1').first().isVisible()).toBe(true);
						const title = await page.title();
						expect(title.length).toBeGreaterThan(5);
						expect(await page.locator('main').innerText()).toMatch(/\w{4,}/);
						expect(await seriousA11yViolations(page)).toEqual([]);
						expect(log.consoleErrors).toEqual([]);
						expect(log.failedRequests).toEqual([]);
						expect(log.foreignRequests).toEqual([]);
					} finally {
						await close();
					}
				});
			}

			it('loads at most 150 KB of gzipped JavaScript before any widget starts', async () => {
				const { log, close } = await openPage(path);
				await close();
				const bytes = jsGzipBytes(log);
				weights[`/${path}`] = bytes;
				expect(log.scripts.length).toBeGreaterThan(0);
				expect(bytes).toBeLessThanOrEqual(JS_BUDGET_BYTES);
			});

			it('fits a 360 px wide phone without sideways scrolling', async () => {
				const { page, close } = await openPage(path, { viewport: { width: 360, height: 740 } });
				try {
					const overflow = await page.evaluate(
						() => document.documentElement.scrollWidth - document.documentElement.clientWidth
					);
					expect(overflow).toBeLessThanOrEqual(0);
				} finally {
					await close();
				}
			});
		});
	}
});

afterAll(() => {
	const rows = Object.entries(weights).map(
		([p, b]) => `${p}: ${(b / 1024).toFixed(1)} KB gzipped JS`
	);
	if (rows.length) console.log(`JavaScript weight before widgets start:\n  ${rows.join('\n  ')}`);
});
