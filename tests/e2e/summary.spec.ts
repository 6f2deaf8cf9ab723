/**
 * The course summary and the lessons' "What to remember" boxes as a reader meets them: the
 * summary renders its guide and its references, every link on it inside the site lands on a
 * built page and, where it names one, an anchor that page has; it passes axe in both themes and
 * works from the keyboard; the home page, the site header and the last lesson lead to it; and
 * each lesson's box is one labelled region of three to five points whose links land on the page.
 */
import { describe, expect, it } from 'vitest';
import { openPage, seriousA11yViolations, siteUrl } from './browser';
import { brokenLinks, siteLinks } from './links';
import { lessonPages } from './pages';

const SUMMARY = 'summary/';

describe('course summary', () => {
	it('renders its decision guide, rank checks and the papers it cites', async () => {
		const { page, log, close } = await openPage(SUMMARY);
		try {
			expect(await page.locator('h1').innerText()).toBe('The course on one page');
			const h2 = await page.locator('main h2').allInnerTexts();
			expect(h2).toEqual(
				expect.arrayContaining([
					'Which method to reach for',
					'Where to start',
					'Is the rank too low? Tell without a full fine-tune',
					'Where the course’s runs depart from the papers',
					'References'
				])
			);
			const h3 = await page.locator('main h3').allInnerTexts();
			for (const method of ['Full fine-tuning', 'LoRA', 'QLoRA', 'BitFit']) {
				expect(h3).toContain(method);
			}
			expect(h3.some((t) => t.startsWith('Head only'))).toBe(true);
			const refs = await page.locator('.refs li').allInnerTexts();
			expect(refs.length).toBeGreaterThanOrEqual(3);
			for (const title of [
				'LoRA: Low-Rank Adaptation',
				'QLoRA: Efficient Finetuning',
				'LoRA Learns Less and Forgets Less'
			]) {
				expect(refs.some((r) => r.includes(title))).toBe(true);
			}
			// Every citation points at an entry of the list, numbered as the list is.
			const cites = await page
				.locator('sup.cite a')
				.evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent]));
			expect(cites.length).toBeGreaterThan(5);
			for (const [href, n] of cites) {
				const item = page.locator(`.refs li[id="${href?.slice(1)}"]`);
				expect(await item.count()).toBe(1);
				const index = await item.evaluate((li) => [...li.parentElement!.children].indexOf(li));
				expect(String(index + 1)).toBe(n);
			}
			// One link per lesson to its box.
			const remember = await page.locator('a.remember').count();
			expect(remember).toBe(lessonPages().length);
			expect(log.consoleErrors).toEqual([]);
			expect(log.failedRequests).toEqual([]);
		} finally {
			await close();
		}
	});

	it('links only to built pages and anchors that exist', async () => {
		const { page, close } = await openPage(SUMMARY);
		try {
			const links = await siteLinks(page);
			// The figures of lessons 3 to 6 and the lesson pages themselves, at least.
			expect(links.filter((l) => l.includes('#fig-')).length).toBeGreaterThanOrEqual(8);
			for (const lesson of lessonPages()) expect(links).toContain(siteUrl(lesson));
			expect(await brokenLinks(page, links)).toEqual([]);
		} finally {
			await close();
		}
	});

	for (const colorScheme of ['light', 'dark'] as const) {
		it(`passes axe with no serious violation (${colorScheme})`, async () => {
			const { page, close } = await openPage(SUMMARY, { colorScheme });
			try {
				expect(await seriousA11yViolations(page)).toEqual([]);
				// The other theme through the site's own switch, too.
				const toggle = page.getByRole('button', { name: /^Theme: / });
				const before = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
				const background = () =>
					page.evaluate(() => getComputedStyle(document.body).backgroundColor);
				for (let i = 0; i < 3 && (await background()) === before; i++) await toggle.click();
				expect(await background()).not.toBe(before);
				expect(await seriousA11yViolations(page)).toEqual([]);
			} finally {
				await close();
			}
		});
	}

	it('works from the keyboard: Tab reaches its links and Enter follows one to its figure', async () => {
		const { page, close } = await openPage(SUMMARY);
		try {
			const target = page.locator('main .prose a').first();
			const href = await target.evaluate((a) => (a as HTMLAnchorElement).href);
			let reached = false;
			for (let i = 0; i < 20 && !reached; i++) {
				await page.keyboard.press('Tab');
				reached = await target.evaluate((a) => a === document.activeElement);
			}
			expect(reached).toBe(true);
			// The focused link is visibly marked.
			const outline = await target.evaluate((a) => getComputedStyle(a).outlineStyle);
			expect(outline).not.toBe('none');
			await page.keyboard.press('Enter');
			await page.waitForURL(href);
			const id = new URL(href).hash.slice(1);
			expect(id).not.toBe('');
			expect(await page.locator(`[id="${id}"]`).count()).toBe(1);
		} finally {
			await close();
		}
	});

	it('is reached from the home page, the site header and the end of the last lesson', async () => {
		const summary = siteUrl(SUMMARY);
		const { page, close } = await openPage('');
		try {
			const home = await page.locator('main a', { hasText: 'The course on one page' });
			expect(await home.evaluate((a) => (a as HTMLAnchorElement).href)).toBe(summary);
			const header = page.getByRole('navigation', { name: 'Site' }).getByRole('link', {
				name: 'Summary'
			});
			expect(await header.evaluate((a) => (a as HTMLAnchorElement).href)).toBe(summary);
			const last = lessonPages().at(-1)!;
			await page.goto(siteUrl(last), { waitUntil: 'networkidle' });
			const next = page
				.getByRole('navigation', { name: 'Lessons' })
				.locator('a[rel="next"], a.next');
			expect(await next.evaluate((a) => (a as HTMLAnchorElement).href)).toBe(summary);
			const inText = page.locator('.prose a', { hasText: 'the course summary' });
			expect(await inText.evaluate((a) => (a as HTMLAnchorElement).href)).toBe(summary);
			await next.click();
			await page.waitForURL(summary);
			expect(await page.locator('h1').innerText()).toBe('The course on one page');
		} finally {
			await close();
		}
	});
});

describe('What to remember', () => {
	for (const lesson of lessonPages()) {
		it(`/${lesson} ends with one box of 3-5 points whose links land on the page`, async () => {
			const { page, close } = await openPage(lesson);
			try {
				const box = page.getByRole('region', { name: 'What to remember' });
				expect(await box.count()).toBe(1);
				const points = await box.locator('li').count();
				expect(points).toBeGreaterThanOrEqual(3);
				expect(points).toBeLessThanOrEqual(5);
				const hashes = await box
					.locator('li a[href]')
					.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).hash.slice(1)));
				expect(hashes.length).toBeGreaterThanOrEqual(points);
				for (const id of hashes) {
					expect(await page.locator(`[id="${decodeURIComponent(id)}"]`).count(), id).toBe(1);
				}
				// The table of contents lists it.
				expect(await page.locator('.side a[href="#what-to-remember"]').count()).toBe(1);
				// It comes after every figure of the lesson.
				const after = await box.evaluate((b) =>
					[...document.querySelectorAll('main figure')].every(
						(f) => f.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING
					)
				);
				expect(after).toBe(true);
			} finally {
				await close();
			}
		});
	}
});
