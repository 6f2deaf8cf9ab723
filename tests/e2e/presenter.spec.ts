/**
 * Presenter mode in real Chromium, at a projector's 1280×720: the header button and `?present=1`
 * turn it on; lesson text and chart tick labels grow by at least 1.3×, figures widen past the
 * text column with no chart text spilling out of its figure, the site chrome goes (the switch
 * stays), text turns pure black or white; the mode lasts across lessons for the session (set
 * before first paint by the page's inline script) and
 * `?present=0` ends it; `]`/`[` step figure by figure, moving focus to each title, and leave
 * form fields alone; axe finds nothing serious in either theme. Lesson 4's page stays within
 * the JavaScript budget with the mode's code in it.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { jsGzipBytes, openPage, seriousA11yViolations, siteUrl, waitFor } from './browser';
import { lessonPages } from './pages';

const LESSON4 = 'lessons/low-rank-updates/';
const PROJECTOR = { viewport: { width: 1280, height: 720 } };

/** Computed font size, in px, of the first element matching `selector`. */
const fontPx = (page: Page, selector: string) =>
	page
		.locator(selector)
		.first()
		.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));

const presenting = (page: Page) =>
	page.evaluate(() => document.documentElement.hasAttribute('data-present'));

/** Wait until the page's script has switched presenter mode on (it hydrates after load). */
const switchedOn = (page: Page) =>
	page.waitForFunction(() => document.documentElement.hasAttribute('data-present'), null, {
		timeout: 20_000
	});

/**
 * Click a toggle until it reports `pressed`: a click that lands before the page hydrates does
 * nothing, so it is repeated, but never once the toggle has switched.
 */
const pressUntil = (page: Page, button: Locator, pressed: 'true' | 'false') =>
	waitFor(
		page,
		async () => {
			if ((await button.getAttribute('aria-pressed')) === pressed) return true;
			await button.click();
			return (await button.getAttribute('aria-pressed')) === pressed;
		},
		20_000
	);

const PARAGRAPH = 'main .prose > p';
const TICK = 'main figure svg .axis-left text';

describe('presenter mode', () => {
	it('enlarges lesson and chart text, widens figures and hides the chrome; the button switches it', async () => {
		const { page, log, close } = await openPage(LESSON4, PROJECTOR);
		try {
			expect(jsGzipBytes(log)).toBeLessThanOrEqual(150 * 1024);
			const button = page.getByRole('button', { name: 'Presenter mode' });
			expect(await button.getAttribute('aria-pressed')).toBe('false');
			const before = { text: await fontPx(page, PARAGRAPH), tick: await fontPx(page, TICK) };
			expect(before.tick).toBeGreaterThan(0);

			await pressUntil(page, button, 'true');
			expect(await presenting(page)).toBe(true);
			expect((await fontPx(page, PARAGRAPH)) / before.text).toBeGreaterThanOrEqual(1.3);
			expect((await fontPx(page, TICK)) / before.tick).toBeGreaterThanOrEqual(1.3);

			// The chrome goes; the switch itself, and its hint naming the keys, stay.
			for (const hidden of [
				'header.site .brand',
				'header.site nav a',
				'footer.site',
				'nav.toc',
				'[role=progressbar]'
			]) {
				expect(await page.locator(hidden).first().isVisible(), hidden).toBe(false);
			}
			expect(await button.isVisible()).toBe(true);
			expect(await page.locator('#presenter-hint').innerText()).toMatch(/Next figure: \]/);

			// Figures use the screen's width; every chart text stays inside its figure.
			const widths = await page.evaluate(() => ({
				text: document.querySelector('main .prose > p')!.getBoundingClientRect().width,
				figure: document.querySelector('main figure')!.getBoundingClientRect().width
			}));
			expect(widths.figure).toBeGreaterThan(widths.text * 1.25);
			expect(widths.figure).toBeLessThanOrEqual(1280);
			// Charts redraw at their new width a frame or two after the switch.
			const spilled = () =>
				page.evaluate(() =>
					[...document.querySelectorAll('main figure svg text')].flatMap((t) => {
						const r = t.getBoundingClientRect();
						const f = t.closest('figure')!.getBoundingClientRect();
						const inside =
							r.width === 0 ||
							(r.left >= f.left && r.right <= f.right && r.top >= f.top && r.bottom <= f.bottom);
						return inside ? [] : [`${t.closest('figure')!.id}: “${t.textContent}”`];
					})
				);
			await waitFor(page, async () => (await spilled()).length === 0, 5_000).catch(() => {});
			expect(await spilled()).toEqual([]);
			expect(await page.evaluate(() => getComputedStyle(document.body).color)).toBe('rgb(0, 0, 0)');
			expect(await seriousA11yViolations(page)).toEqual([]);

			await pressUntil(page, button, 'false');
			expect(await presenting(page)).toBe(false);
			expect(await page.locator('header.site .brand').isVisible()).toBe(true);
			expect(await fontPx(page, PARAGRAPH)).toBe(before.text);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});

	it('?present=1 turns it on for the session, across lessons; ?present=0 turns it off', async () => {
		const [first, second, third] = lessonPages();
		const { page, log, close } = await openPage(`${first}?present=1`, PROJECTOR);
		try {
			await switchedOn(page);
			// A link to the next lesson (client-side navigation), then a fresh load of another.
			await page.locator('nav.pager a[rel=next]').click();
			await page.waitForURL(siteUrl(second));
			await switchedOn(page);
			expect(await page.locator('footer.site').isVisible()).toBe(false);
			await page.goto(siteUrl(third), { waitUntil: 'networkidle' });
			await switchedOn(page);
			const button = page.getByRole('button', { name: 'Presenter mode' });
			await waitFor(page, async () => (await button.getAttribute('aria-pressed')) === 'true');

			await page.goto(siteUrl(`${third}?present=0`), { waitUntil: 'networkidle' });
			await page.waitForFunction(() => sessionStorage.getItem('why-peft:present') === null);
			expect(await presenting(page)).toBe(false);
			await page.goto(siteUrl(second), { waitUntil: 'networkidle' });
			expect(await presenting(page)).toBe(false);
			expect(await page.locator('footer.site').isVisible()).toBe(true);
			// Once the page runs, its switch still works (and the session said off, so it was off).
			await pressUntil(page, page.getByRole('button', { name: 'Presenter mode' }), 'true');
			expect(await presenting(page)).toBe(true);
			expect(log.consoleErrors).toEqual([]);

			// The page's own inline script applies it before first paint: without the app's code.
			await page.route(/\/_app\/.*\.js$/, (route) => route.abort());
			await page.reload({ waitUntil: 'domcontentloaded' });
			expect(await presenting(page)).toBe(true);
		} finally {
			await close();
		}
	});

	it('steps figure by figure with ] and [, focusing each title, and leaves form fields alone', async () => {
		const { page, close } = await openPage(`${LESSON4}?present=1`, PROJECTOR);
		try {
			await switchedOn(page);
			const ids = await page
				.locator('main figure:not(figure figure)')
				.evaluateAll((fs) => fs.map((f) => f.id));
			expect(ids.length).toBeGreaterThanOrEqual(3);
			const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
			const atTop = (id: string) =>
				page.evaluate(
					(id) => Math.abs(document.getElementById(id)!.getBoundingClientRect().top) < 40,
					id
				);

			await page.keyboard.press(']');
			expect(await focused()).toBe(`${ids[0]}-title`);
			await waitFor(page, () => atTop(ids[0]), 5_000);
			await page.keyboard.press(']');
			expect(await focused()).toBe(`${ids[1]}-title`);
			await waitFor(page, () => atTop(ids[1]), 5_000);
			await page.keyboard.press('n');
			expect(await focused()).toBe(`${ids[2]}-title`);
			await page.keyboard.press('[');
			expect(await focused()).toBe(`${ids[1]}-title`);
			await waitFor(page, () => atTop(ids[1]), 5_000);

			// In a text field the key types; it does not step.
			const field = page.locator(`#${ids[1]} input:not([type=range]):not([type=radio])`).first();
			await field.focus();
			await page.keyboard.press(']');
			expect(await field.evaluate((el) => el === document.activeElement)).toBe(true);
		} finally {
			await close();
		}
	});

	// The light theme's axe run is in the first test, after the button switched the mode on.
	it('passes axe with no serious violation in the dark theme, text pure white', async () => {
		const { page, close } = await openPage(`${LESSON4}?present=1`, {
			...PROJECTOR,
			colorScheme: 'dark'
		});
		try {
			await switchedOn(page);
			expect(await page.evaluate(() => getComputedStyle(document.body).color)).toBe(
				'rgb(255, 255, 255)'
			);
			expect(await seriousA11yViolations(page)).toEqual([]);
		} finally {
			await close();
		}
	});
});
