/**
 * The course summary quotes the lessons, never new numbers: every number in its prose appears in
 * some lesson's source. (Its links and citations are checked in the browser, summary.spec.ts.)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const page = readFileSync('src/routes/summary/+page.svelte', 'utf8');
const lessons = readdirSync('lessons')
	.filter((d) => /^\d{2}-/.test(d))
	.map((d) => readFileSync(join('lessons', d, 'index.svx'), 'utf8'))
	.join('\n');

/** The page's prose: its markup without tags, Svelte expressions, or the script and style. */
const prose = page
	.slice(page.indexOf('<svelte:head>'), page.indexOf('<style>'))
	.replace(/<svelte:head>[\s\S]*?<\/svelte:head>/, '')
	.replace(/\{[^{}]*(\{[^{}]*\}[^{}]*)*\}/g, ' ')
	.replace(/<[^>]+>/g, ' ');

describe('course summary', () => {
	it('has prose to check', () => {
		expect(prose).toContain('Which method to reach for');
		expect(prose.match(/\d+\.\d%/g)?.length).toBeGreaterThan(10);
	});

	it('quotes only numbers that a lesson prints', () => {
		const missing = (prose.match(/\d+(,\d{3})*(\.\d+)?/g) ?? []).filter(
			(n) => !new RegExp(`(^|[^\\d.,])${n.replace(/[.,]/g, '\\$&')}(?![\\d]|[.,]\\d)`).test(lessons)
		);
		expect(missing).toEqual([]);
	});
});
