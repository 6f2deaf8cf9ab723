/**
 * What the site says about itself: the licence and citation page (linked from every page's
 * footer), the sitemap (every page, with the base path), and the description and social-preview
 * tags of every page.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openPage, siteUrl } from './browser';
import { TEST_BASE } from './globalSetup';
import { allPages } from './pages';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const manifest = JSON.parse(readFileSync('static/data/manifest.json', 'utf8')) as Record<
	string,
	{ file: string; licence: string }
>;

describe('licence and citation page', () => {
	it('names the code and text licences, every dataset with its licence, and how to cite', async () => {
		const { page, log, close } = await openPage('');
		try {
			await page.locator('footer').getByRole('link', { name: 'Licence and citation' }).click();
			await page.waitForURL(siteUrl('licence/'));
			await page.locator('h1', { hasText: 'Licence and citation' }).waitFor();
			const code = await page.locator('h2#code + p').innerText();
			expect(code).toContain(`${pkg.license} licence`);
			const prose = await page.locator('h2#text + p').innerText();
			expect(prose).toContain('CC BY 4.0');
			const main = await page.locator('main').innerText();
			for (const entry of Object.values(manifest)) {
				expect(main).toContain(`data/${entry.file}`);
				expect(main).toContain(entry.licence);
			}
			const digits = page.locator('section.dataset', { hasText: 'data/digits/digits.bin' });
			expect(await digits.innerText()).toMatch(/Alpaydin and C\. Kaynak/);
			expect(await digits.getByRole('link', { name: 'CC BY 4.0' }).getAttribute('href')).toBe(
				'https://creativecommons.org/licenses/by/4.0/'
			);
			const bib = await page.getByTestId('bibtex').locator('pre').innerText();
			expect(bib).toMatch(/^@software\{whypeft\d{4},/);
			expect(bib).toContain('author = {{The Why PEFT authors}}');
			expect(bib).toContain(`version = {${pkg.version}}`);
			expect(await page.getByTestId('plain-citation').innerText()).toContain(
				`(version ${pkg.version})`
			);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});
});

describe('sitemap.xml', () => {
	it('lists every prerendered page, with the base path, as absolute addresses', async () => {
		const r = await fetch(siteUrl('sitemap.xml'));
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toMatch(/^application\/xml/);
		const body = await r.text();
		expect(body).toMatch(
			/^<\?xml version="1.0" encoding="UTF-8"\?>\n<urlset xmlns="http:\/\/www\.sitemaps\.org\/schemas\/sitemap\/0\.9">/
		);
		const locs = [...body.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]));
		for (const l of locs) expect(l.protocol).toMatch(/^https?:$/);
		const paths = locs.map((l) => l.pathname).sort();
		expect(paths).toEqual(
			allPages()
				.map((p) => `${TEST_BASE}/${p}`)
				.sort()
		);
	});
});

describe('description and social preview', () => {
	for (const path of allPages()) {
		it(`/${path} describes itself to search engines and link previews, and its footer links the glossary, further reading and licence`, async () => {
			const { page, close } = await openPage(path);
			try {
				const meta = (sel: string) => page.locator(`head meta[${sel}]`).getAttribute('content');
				const title = await page.title();
				const description = await meta('name="description"');
				expect(description!.length).toBeGreaterThan(40);
				expect(await page.locator('head meta[name="description"]').count()).toBe(1);
				expect(await meta('property="og:title"')).toBe(title.replace(/\s*·\s*Why PEFT$/, ''));
				expect(await meta('property="og:description"')).toBe(description);
				expect(await meta('property="og:type"')).toBe(
					path.startsWith('lessons/') ? 'article' : 'website'
				);
				expect(await meta('property="og:site_name"')).toBe('Why PEFT');
				expect(await meta('name="twitter:card"')).toBe('summary');
				for (const [name, target] of [
					['Glossary', 'glossary/'],
					['Further reading', 'reading/'],
					['Licence and citation', 'licence/']
				]) {
					const link = page.locator('footer').getByRole('link', { name, exact: true });
					expect(await link.count(), name).toBe(1);
					expect(new URL((await link.getAttribute('href'))!, siteUrl(path)).href).toBe(
						siteUrl(target)
					);
				}
			} finally {
				await close();
			}
		});
	}
});
