/**
 * The course shell as a reader uses it: the map links every lesson, "mark as done" is remembered
 * and shown on the map, the theme follows the OS and can be switched and remembered, the table of
 * contents and the pager work, print hides the controls, and the browser here really offers
 * WebGPU (so the widget tests that force it test what they claim).
 */
import { describe, expect, it } from 'vitest';
import { openPage, siteUrl } from './browser';
import { lessonPages } from './pages';

const firstLesson = lessonPages()[0];

describe('course map', () => {
	it('links every lesson in course order, under the sub-path', async () => {
		const { page, close } = await openPage('');
		try {
			const hrefs = await page
				.locator('main ol a')
				.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
			expect(hrefs).toEqual(lessonPages().map((p) => siteUrl(p)));
			expect(hrefs.every((h) => new URL(h).pathname.startsWith('/why-peft/'))).toBe(true);
		} finally {
			await close();
		}
	});
});

describe('mark as done', () => {
	it('is remembered across pages and reloads, and shown on the map', async () => {
		const { page, close } = await openPage(firstLesson);
		try {
			const button = page.getByRole('button', { name: /mark(ed)? as done/i });
			expect(await button.getAttribute('aria-pressed')).toBe('false');
			await button.click();
			expect(await button.getAttribute('aria-pressed')).toBe('true');
			await page.reload({ waitUntil: 'networkidle' });
			expect(
				await page.getByRole('button', { name: /marked as done/i }).getAttribute('aria-pressed')
			).toBe('true');
			await page.goto(siteUrl(''), { waitUntil: 'networkidle' });
			expect(await page.locator('.tally').innerText()).toMatch(/^1 of \d+ done$/);
			expect(await page.locator('main ol li.done').count()).toBe(1);
			expect(await page.locator('main ol li.done').innerText()).toContain('Done');
			await page.goto(siteUrl(firstLesson), { waitUntil: 'networkidle' });
			await page.getByRole('button', { name: /marked as done/i }).click();
			await page.goto(siteUrl(''), { waitUntil: 'networkidle' });
			expect(await page.locator('main ol li.done').count()).toBe(0);
		} finally {
			await close();
		}
	});
});

describe('theme', () => {
	const background = (page: import('playwright-core').Page) =>
		page.evaluate(() => getComputedStyle(document.body).backgroundColor);

	it('follows the OS, switches, and remembers the choice', async () => {
		const { page, close } = await openPage('', { colorScheme: 'dark' });
		try {
			const osDark = await background(page);
			const toggle = page.getByRole('button', { name: /^Theme: / });
			expect(await toggle.getAttribute('aria-label')).toBe('Theme: System');
			await toggle.click();
			expect(await toggle.getAttribute('aria-label')).toBe('Theme: Light');
			const light = await background(page);
			expect(light).not.toBe(osDark);
			await page.reload({ waitUntil: 'networkidle' });
			expect(await background(page)).toBe(light);
			await page.getByRole('button', { name: 'Theme: Light' }).click();
			expect(await background(page)).toBe(osDark);
			await page.getByRole('button', { name: 'Theme: Dark' }).click();
			expect(await background(page)).toBe(osDark);
		} finally {
			await close();
		}
	});
});

describe('lesson layout', () => {
	it('has a working table of contents, reading progress and pager', async () => {
		const { page, close } = await openPage(firstLesson);
		try {
			const links = page.locator('nav.toc a');
			expect(await links.count()).toBeGreaterThan(2);
			for (const href of await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
				expect(href).toMatch(/^#/);
				expect(await page.locator(`[id="${href!.slice(1)}"]`).count()).toBe(1);
			}
			const progress = page.getByRole('progressbar', { name: 'Reading progress' });
			expect(Number(await progress.getAttribute('aria-valuenow'))).toBeLessThan(10);
			await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
			await page.waitForFunction(
				() =>
					Number(document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow')) > 90
			);
			const pager = page.getByRole('navigation', { name: 'Lessons' });
			expect(await pager.locator('a').count()).toBe(2);
		} finally {
			await close();
		}
	});

	it('cites numbered references that exist', async () => {
		const { page, close } = await openPage(firstLesson);
		try {
			const cites = page.locator('sup.cite a');
			expect(await cites.count()).toBeGreaterThan(3);
			for (const href of await cites.evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
				expect(await page.locator(`li[id="${href!.slice(1)}"]`).count()).toBe(1);
			}
			expect(await page.locator('.katex').count()).toBeGreaterThan(0);
			expect(await page.locator('script[src*="katex"]').count()).toBe(0);
		} finally {
			await close();
		}
	});

	it('prints without the site controls', async () => {
		const { page, close } = await openPage(firstLesson);
		try {
			await page.emulateMedia({ media: 'print' });
			expect(await page.locator('header.site').isVisible()).toBe(false);
			expect(await page.locator('nav.toc').isVisible()).toBe(false);
			expect(await page.locator('main h1').isVisible()).toBe(true);
		} finally {
			await close();
		}
	});
});

describe('browser', () => {
	it('offers a WebGPU adapter (SwiftShader here), so WebGPU tests run for real', async () => {
		const { page, close } = await openPage('');
		try {
			const info = await page.evaluate(async () => {
				const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
				const adapter = (await gpu?.requestAdapter()) as
					{ info?: { vendor: string; architecture: string } } | null | undefined;
				return adapter ? { vendor: adapter.info?.vendor ?? '?' } : null;
			});
			expect(info).not.toBeNull();
		} finally {
			await close();
		}
	});
});
