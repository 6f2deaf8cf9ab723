/**
 * Links as a reader follows them, for the browser tests of pages that are mostly links (the
 * summary, the glossary, further reading): the site links on a page, and which of them do not land.
 */
import type { Page } from 'playwright-core';
import { siteUrl } from './browser';

/** Absolute URLs of the links inside `main` that stay on this site. */
export async function siteLinks(page: Page, selector = 'main a[href]'): Promise<string[]> {
	const base = new URL(siteUrl('')).href;
	const hrefs = await page
		.locator(selector)
		.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
	return [...new Set(hrefs)].filter((h) => h.startsWith(base));
}

/** The links among `urls` that do not land: a page that is not 200, or a missing anchor. */
export async function brokenLinks(page: Page, urls: string[]): Promise<string[]> {
	const byPage = new Map<string, string[]>();
	for (const u of urls) {
		const url = new URL(u);
		const hash = decodeURIComponent(url.hash.slice(1));
		url.hash = '';
		byPage.set(url.href, [...(byPage.get(url.href) ?? []), ...(hash ? [hash] : [])]);
	}
	const broken: string[] = [];
	for (const [href, ids] of byPage) {
		const response = await page.goto(href, { waitUntil: 'networkidle' });
		if (response?.status() !== 200) {
			broken.push(`${href} (HTTP ${response?.status()})`);
			continue;
		}
		for (const id of ids) {
			if ((await page.locator(`[id="${id}"]`).count()) !== 1) broken.push(`${href}#${id}`);
		}
	}
	return broken;
}
