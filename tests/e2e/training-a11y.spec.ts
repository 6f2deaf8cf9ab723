/**
 * Accessibility and privacy while figures train, not only at load: the lab's digits figure and
 * lesson 4's spectrum lab are set training, and while they train axe runs in the light and the
 * dark theme (switched live, as a reader's OS would), and every request the page and its workers
 * make is checked to stay on the site's origin. On the lesson, axe checks the training figure
 * (the whole page takes most of a minute here while it trains); on the lab, the whole page. `context.route` sees the workers' fetches as
 * well as the page's (each test checks it caught the trainer's download of the digits).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { getBrowser, seriousA11yViolations, siteUrl, waitFor } from './browser';

const AXE_SOURCE = readFileSync(
	createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
	'utf8'
);

/**
 * Serious or critical axe violations inside `selector` only: on a long lesson, axe over the whole
 * page takes most of a minute here while a figure trains, and only the figure changes as it does.
 */
async function seriousViolationsIn(page: Page, selector: string): Promise<string[]> {
	await page.evaluate(AXE_SOURCE);
	return page.evaluate(async (sel) => {
		const axe = (
			window as unknown as {
				axe: {
					run(
						ctx: Element,
						o: object
					): Promise<{
						violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
					}>;
				};
			}
		).axe;
		const { violations } = await axe.run(document.querySelector(sel)!, {
			resultTypes: ['violations']
		});
		return violations
			.filter((v) => v.impact === 'serious' || v.impact === 'critical')
			.map((v) => `${v.impact} ${v.id} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
	}, selector);
}

interface Watched {
	page: Page;
	context: BrowserContext;
	/** Every http(s) request the page or a worker made, in order. */
	requests: string[];
	/** Those to any origin but the site's (each answered with a network error). */
	foreign: string[];
	errors: string[];
}

async function open(path: string): Promise<Watched> {
	const context = await (
		await getBrowser()
	).newContext({
		viewport: { width: 1280, height: 900 },
		colorScheme: 'light'
	});
	const site = new URL(siteUrl()).origin;
	const w: Omit<Watched, 'page'> = { context, requests: [], foreign: [], errors: [] };
	await context.route('**/*', (route) => {
		const url = route.request().url();
		w.requests.push(url);
		if (new URL(url).origin !== site) {
			w.foreign.push(url);
			return route.abort('blockedbyclient');
		}
		return route.continue();
	});
	const page = await context.newPage();
	page.on('pageerror', (e) => w.errors.push(`uncaught: ${e.message}`));
	page.on('console', (m) => {
		if (m.type() === 'error') w.errors.push(m.text());
	});
	await page.goto(siteUrl(path), { waitUntil: 'load' });
	return { ...w, page };
}

/**
 * Run axe in each theme while the figure trains: `training()` holds after each check and
 * `steps()` has risen since it began.
 */
async function axeWhileTraining(
	page: Page,
	steps: () => Promise<number>,
	training: () => Promise<boolean>,
	/** Check only this part of the page (the training figure); the whole page by default. */
	scope?: string
) {
	const backgrounds = new Set<string>();
	for (const colorScheme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme });
		backgrounds.add(await page.evaluate(() => getComputedStyle(document.body).backgroundColor));
		const before = await steps();
		const found = scope
			? await seriousViolationsIn(page, scope)
			: await seriousA11yViolations(page);
		expect(found, colorScheme).toEqual([]);
		expect(await training(), `still training after axe (${colorScheme})`).toBe(true);
		expect(await steps()).toBeGreaterThan(before);
	}
	// The theme really changed between the two checks.
	expect(backgrounds.size).toBe(2);
}

const count = async (l: Locator) => Number((await l.innerText()).match(/\d+/)?.[0] ?? 0);

describe('while figures train', () => {
	it(
		'the lab: axe finds nothing serious in either theme, and no request leaves the site',
		{ timeout: 90_000 },
		async () => {
			const w = await open('lab/?backend=wasm&steps=100000');
			try {
				const { page } = w;
				const train = page.getByRole('button', { name: 'Train', exact: true });
				// The trainer starts on the first Train (base and data load, then it trains).
				await waitFor(page, () => train.isEnabled());
				await train.click();
				await waitFor(page, async () => (await page.getByTestId('trainable').count()) > 0, 45_000);
				const step = page.getByTestId('step');
				await waitFor(page, async () => (await count(step)) > 0);
				await axeWhileTraining(
					page,
					() => count(step),
					() => page.getByRole('button', { name: 'Pause' }).isVisible()
				);
				expect(w.requests.some((u) => u.endsWith('/data/digits/digits.bin'))).toBe(true);
				expect(w.requests.some((u) => u.includes('/_app/immutable/workers/'))).toBe(true);
				expect(w.foreign).toEqual([]);
				expect(w.errors).toEqual([]);
			} finally {
				await w.context.close();
			}
		}
	);

	// On the cpu backend: on WebAssembly its 5,000 steps (the most it takes) are over in seconds,
	// before axe has checked both themes.
	it('lesson 4: the same while the spectrum lab trains', { timeout: 90_000 }, async () => {
		const w = await open('lessons/low-rank-updates/?spectrum-backend=cpu&spectrum-steps=5000');
		try {
			const { page } = w;
			const fig = page.locator('#fig-spectrum');
			await fig.scrollIntoViewIfNeeded();
			const train = fig.getByRole('button', { name: 'Train', exact: true });
			await waitFor(page, () => train.isEnabled(), 45_000);
			await train.click();
			const status = page.getByTestId('spectrum-status');
			await waitFor(page, async () =>
				/^Training on cpu: step [1-9]/.test(await status.innerText())
			);
			await axeWhileTraining(
				page,
				() => count(status),
				async () => /^Training on cpu/.test(await status.innerText()),
				'#fig-spectrum'
			);
			expect(w.requests.some((u) => u.endsWith('/data/digits/digits.bin'))).toBe(true);
			expect(w.foreign).toEqual([]);
			expect(w.errors).toEqual([]);
		} finally {
			await w.context.close();
		}
	});
});
