/**
 * The glossary and the further-reading page as a reader meets them: every anchor the lessons
 * link to is a term heading with a definition (KaTeX rendered) and a link into a lesson; every
 * link on both pages inside the site lands on a built page and an anchor it has; the first uses
 * in lessons 1 and 2 link to terms that exist; the course summary links both pages; and both pass
 * axe in both themes.
 */
import { describe, expect, it } from 'vitest';
import { openPage, seriousA11yViolations } from './browser';
import { brokenLinks, siteLinks } from './links';
import { GLOSSARY_IDS } from '$lib/glossaryTerms';

const TERMS: readonly string[] = GLOSSARY_IDS;

describe('glossary', () => {
	it('defines every term the lessons link to, each with a link into a lesson', async () => {
		const { page, log, close } = await openPage('glossary/');
		try {
			expect(await page.locator('h1').innerText()).toBe('Glossary');
			expect(await page.title()).toBe('Glossary · Why PEFT');
			expect(await page.locator('meta[name="description"]').getAttribute('content')).toMatch(
				/stable and effective rank/
			);
			for (const id of TERMS) {
				const heading = page.locator(`h3[id="${id}"]`);
				expect(await heading.count(), id).toBe(1);
				const entry = page.locator('section.term', { has: heading });
				expect(await entry.locator('p').first().innerText()).toMatch(/\w{4,}.*\./);
				expect(await entry.locator('a[href*="/lessons/"]').count(), id).toBeGreaterThan(0);
			}
			expect(await page.locator('section.term').count()).toBe(TERMS.length);
			expect(await page.locator('main .katex').count()).toBeGreaterThan(10);
			expect(await page.locator('[id="effective-rank"] ~ p').allInnerTexts()).toEqual(
				expect.arrayContaining([expect.stringContaining('stable rank 6.6 and effective rank 48')])
			);
			expect(log.consoleErrors).toEqual([]);
			expect(log.failedRequests).toEqual([]);
		} finally {
			await close();
		}
	});

	it('links only to built pages and anchors that exist', async () => {
		const { page, close } = await openPage('glossary/');
		try {
			const links = await siteLinks(page);
			expect(links.filter((l) => l.includes('/lessons/')).length).toBeGreaterThan(20);
			expect(links.filter((l) => l.includes('/reading/#')).length).toBeGreaterThan(10);
			expect(await brokenLinks(page, links)).toEqual([]);
		} finally {
			await close();
		}
	});

	it('is where lessons 1 and 2 send the first use of a term', async () => {
		for (const [lesson, min] of [
			['lessons/why-peft/', 10],
			['lessons/scaling-laws/', 3]
		] as const) {
			const { page, close } = await openPage(lesson);
			try {
				const links = await siteLinks(page, 'main a[href*="/glossary/#"]');
				expect(links.length, lesson).toBeGreaterThanOrEqual(min);
				for (const l of links) expect(TERMS).toContain(new URL(l).hash.slice(1));
				// First uses only: one link per term on the page.
				const all = await page
					.locator('main a[href*="/glossary/#"]')
					.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).hash));
				expect(new Set(all).size).toBe(all.length);
			} finally {
				await close();
			}
		}
	});
});

describe('further reading', () => {
	it('annotates papers and practical resources, each linked, and its links land', async () => {
		const { page, log, close } = await openPage('reading/');
		try {
			expect(await page.locator('h1').innerText()).toBe('Further reading');
			expect(await page.title()).toBe('Further reading · Why PEFT');
			const entries = page.locator('ul.entries li');
			expect(await entries.count()).toBeGreaterThan(30);
			for (const id of [
				'hu2021',
				'dettmers2023',
				'roy2007',
				'hf-peft',
				'raschka-lora-tips',
				'distill',
				'd2l'
			]) {
				const li = page.locator(`li[id="${id}"]`);
				expect(await li.count(), id).toBe(1);
				expect(await li.locator('a[rel="external"]').getAttribute('href')).toMatch(/^https:\/\//);
				expect(await li.locator('.note').innerText()).toMatch(/Extends lesson/);
			}
			expect(await page.locator('li[id="hu2021"] cite').innerText()).toBe(
				'LoRA: Low-Rank Adaptation of Large Language Models'
			);
			expect(await brokenLinks(page, await siteLinks(page))).toEqual([]);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});
});

describe('both pages', () => {
	it('are linked from the course summary', async () => {
		const { page, close } = await openPage('summary/');
		try {
			expect(
				await page.getByRole('link', { name: 'glossary', exact: true }).getAttribute('href')
			).toMatch(/glossary\/?$/);
			expect(
				await page.getByRole('link', { name: 'further reading', exact: true }).getAttribute('href')
			).toMatch(/reading\/?$/);
		} finally {
			await close();
		}
	});

	for (const path of ['glossary/', 'reading/']) {
		for (const colorScheme of ['light', 'dark'] as const) {
			it(`${path} passes axe (${colorScheme})`, async () => {
				const { page, close } = await openPage(path, { colorScheme });
				try {
					expect(await seriousA11yViolations(page)).toEqual([]);
				} finally {
					await close();
				}
			});
		}
	}
});
