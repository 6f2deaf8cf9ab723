/**
 * Every lesson ends with one "What to remember" box of three to five points, and every point
 * links to the figure or section that shows it: an anchor that exists in that lesson's source (a
 * heading's id as the outline plugin makes it, or a figure's id in the lesson or its components).
 * The browser test `summary.spec.ts` checks the same links against the built pages.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import GithubSlugger from 'github-slugger';
import { describe, expect, it } from 'vitest';

const LESSONS = 'lessons';
const folders = readdirSync(LESSONS)
	.filter((d) => /^\d{2}-/.test(d))
	.sort();

/** The anchors a lesson's page will have: heading ids, figure ids, the box's own heading. */
function anchors(folder: string, source: string): Set<string> {
	const ids = new Set<string>(['what-to-remember', 'references']);
	const slugger = new GithubSlugger();
	for (const m of source.matchAll(/^#{2,3} (.+)$/gm)) {
		ids.add(slugger.slug(m[1].replace(/[$`*_]/g, '').trim()));
	}
	for (const m of source.matchAll(/\bid="([^"{}]+)"/g)) ids.add(m[1]);
	for (const file of readdirSync(join(LESSONS, folder)).filter((f) => f.endsWith('.svelte'))) {
		const component = readFileSync(join(LESSONS, folder, file), 'utf8');
		const name = file.replace(/\.svelte$/, '');
		if (!new RegExp(`<${name}\\b`).test(source)) continue;
		for (const m of component.matchAll(/\bid = '([^']+)'/g)) ids.add(m[1]);
		for (const m of component.matchAll(/\bid="([^"{}]+)"/g)) ids.add(m[1]);
	}
	return ids;
}

/** The Markdown between `<Takeaways>` and `</Takeaways>`, or undefined. */
function box(source: string): string | undefined {
	return /<Takeaways>\n([\s\S]*?)\n<\/Takeaways>/.exec(source)?.[1];
}

describe('What to remember', () => {
	it('covers every lesson', () => {
		expect(folders.length).toBeGreaterThanOrEqual(6);
	});

	for (const folder of folders) {
		describe(folder, () => {
			const source = readFileSync(join(LESSONS, folder, 'index.svx'), 'utf8');
			const points = (box(source) ?? '')
				.split('\n')
				.filter((l) => l.startsWith('- '))
				.map((l) => l.slice(2));

			it('has exactly one box, imported, after all of the lesson text but its references', () => {
				expect(source.match(/<Takeaways>/g)?.length).toBe(1);
				expect(source.match(/<\/Takeaways>/g)?.length).toBe(1);
				expect(source).toContain("import Takeaways from '$lib/ui/Takeaways.svelte'");
				const start = source.indexOf('<Takeaways>');
				const rest = source.slice(source.indexOf('</Takeaways>'));
				expect(start).toBeGreaterThan(source.length / 2);
				expect(rest).not.toMatch(/^#{2,3} /m);
			});

			it('holds three to five points, each one sentence ending in its links', () => {
				expect(points.length).toBeGreaterThanOrEqual(3);
				expect(points.length).toBeLessThanOrEqual(5);
				for (const p of points) {
					expect(p, p).toMatch(/\(\[[^\]]+\]\(#[^)]+\)(, \[[^\]]+\]\(#[^)]+\))*\)\.$/);
					const text = p
						.replace(/\$[^$]*\$/g, 'x')
						.replace(/\([^()]*\)/g, '')
						.replace(/\bet al\./g, 'et al');
					expect(text.match(/[.!?](\s|$)/g)?.length, p).toBe(1);
				}
			});

			it('links every point to an anchor that exists in the lesson', () => {
				const ids = anchors(folder, source);
				for (const p of points) {
					const links = [...p.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
					expect(links.length, p).toBeGreaterThan(0);
					for (const id of links) expect(ids, `#${id} in ${folder}`).toContain(id);
				}
			});

			it('quotes only numbers the lesson itself prints', () => {
				const rest = source.replace(/<Takeaways>[\s\S]*?<\/Takeaways>/, '');
				for (const p of points) {
					const prose = p.replace(/\$[^$]*\$/g, '').replace(/\]\(#[^)]+\)/g, ']');
					for (const n of prose.match(/\d+(,\d{3})*(\.\d+)?/g) ?? []) {
						expect(rest, `${n} in ${folder}: ${p}`).toMatch(
							new RegExp(`(^|[^\\d.,])${n.replace(/[.,]/g, '\\$&')}(?![\\d]|[.,]\\d)`)
						);
					}
				}
			});

			it('ties at least two points to figures', () => {
				const figures = points.filter((p) => /\]\(#(fig-|calculator|by-size|measured)/.test(p));
				expect(figures.length).toBeGreaterThanOrEqual(folder.startsWith('01-') ? 1 : 2);
			});
		});
	}
});
