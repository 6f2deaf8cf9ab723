/**
 * Shared links with hostile query strings, fuzzed: every page is opened once to learn which URL
 * parameters it reads (by watching `URLSearchParams` in the page), then opened again and again
 * with a seeded random mix of those parameters set to hostile values (empty, huge, negative,
 * NaN, Infinity, markup, `__proto__`, repeated keys, non-ASCII digits). Each state must load with
 * no uncaught error, no console error, no NaN, undefined or Infinity shown outside a quotation of
 * the reader's own value, and no injected markup. A failure names the seed and the URL; rerun
 * with FUZZ_SEED to reproduce, FUZZ_STATES to change how many states are tried.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '$lib/math/rng';
import { getBrowser, siteUrl } from './browser';
import { allPages } from './pages';

const SEED = process.env.FUZZ_SEED ?? 'why-peft-fuzz-1';
// Each state is a full page load (about half a second on a busy two-core machine), so npm test
// tries 200 to stay near two minutes; FUZZ_STATES=1000 or more for a longer hunt.
const STATES = Number(process.env.FUZZ_STATES ?? 200);
/** Pages that load fuzzed states side by side. */
const TABS = Number(process.env.FUZZ_TABS ?? 2);

/** Values that have broken parsers somewhere. */
const HOSTILE = [
	'',
	' ',
	'-1',
	'0',
	'-0',
	'1e309',
	'-1e309',
	'1e-400',
	'NaN',
	'Infinity',
	'-Infinity',
	'9'.repeat(300),
	'0x1f',
	'3.5',
	' 7 ',
	'1,2',
	'٣',
	'１２',
	'²',
	'__proto__',
	'constructor',
	'toString',
	'null',
	'undefined',
	'[]',
	'{}',
	'%',
	'😀',
	'<b id=fuzzmark>x</b>',
	'"><img src=x onerror="window.__pwned=1">',
	"'><svg onload=window.__pwned=1>"
];

/** Names the page reads with URLSearchParams.get/getAll/has, recorded from the first moment. */
async function watchParams(page: Page) {
	await page.addInitScript(() => {
		const w = window as unknown as { __params: Set<string> };
		w.__params = new Set();
		const proto = URLSearchParams.prototype;
		for (const m of ['get', 'getAll', 'has'] as const) {
			const original = proto[m] as (this: URLSearchParams, name: string) => unknown;
			(proto as unknown as Record<string, unknown>)[m] = function (
				this: URLSearchParams,
				name: string
			) {
				w.__params.add(String(name));
				return original.call(this, name);
			};
		}
	});
}

/** Text shown on the page that reads as a broken number, outside quotes of the reader's value. */
const BROKEN = /\b(NaN|undefined|Infinity)\b/;
function unquoted(text: string): string {
	return text.replace(/“[^”]*”/g, '').replace(/"[^"]*"/g, '');
}

let context: BrowserContext;

/** A tab that opens one URL state at a time and says what went wrong with it. */
async function fuzzTab() {
	const page = await context.newPage();
	let problems: string[] = [];
	page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
	page.on('console', (m) => {
		if (m.type() === 'error') problems.push(`console: ${m.text().slice(0, 200)}`);
	});
	return async (url: string): Promise<string[]> => {
		problems = [];
		await page.goto(url, { waitUntil: 'load' });
		await page.waitForTimeout(50);
		const found = await page.evaluate(() => ({
			text: document.querySelector('main')?.innerText ?? '',
			injected:
				document.querySelector('#fuzzmark, img[src="x"]') !== null ||
				(window as unknown as { __pwned?: number }).__pwned !== undefined
		}));
		const shown = BROKEN.exec(unquoted(found.text));
		if (shown) {
			const at = found.text.indexOf(shown[0]);
			problems.push(`shows "${found.text.slice(Math.max(0, at - 60), at + 40)}"`);
		}
		if (found.injected) problems.push('injected markup is in the page');
		return problems;
	};
}

describe('URL-state fuzz', () => {
	const pages = allPages();
	const params = new Map<string, string[]>();

	beforeAll(async () => {
		context = await (await getBrowser()).newContext({ viewport: { width: 1280, height: 900 } });
		const page = await context.newPage();
		await watchParams(page);
		for (const path of pages) {
			await page.goto(siteUrl(path), { waitUntil: 'networkidle' });
			const names = await page.evaluate(() => [
				...(window as unknown as { __params: Set<string> }).__params
			]);
			params.set(path, names.filter((n) => !n.startsWith('x-sveltekit')).sort());
		}
		await page.close();
	}, 120_000);

	afterAll(async () => {
		await context?.close();
	});

	it('learns the parameters the widgets read', () => {
		const all = [...params.values()].flat();
		// The lab and lessons 3 to 6 keep their widgets' settings in the URL.
		expect(params.get('lab/')?.length).toBeGreaterThan(3);
		expect(all).toContain('calc-model');
		expect(all.length).toBeGreaterThan(30);
	});

	it(
		`survives ${STATES} random hostile URL states (seed ${SEED})`,
		{ timeout: 900_000 },
		async () => {
			const rng = createRng(SEED);
			const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.uniform() * xs.length)];
			const fuzzed = pages.filter((p) => params.get(p)!.length > 0);
			// Every state is drawn from the seed up front, so which tab opens it does not matter.
			const urls: string[] = [];
			for (let i = 0; i < STATES; i++) {
				const path = pick(fuzzed);
				const names = params.get(path)!;
				const query = new URLSearchParams();
				const count = 1 + Math.floor(rng.uniform() * Math.min(6, names.length));
				for (let k = 0; k < count; k++) {
					const name = pick(names);
					const value =
						rng.uniform() < 0.2 ? String(Math.floor(rng.uniform() * 200) - 50) : pick(HOSTILE);
					query.append(name, value);
					if (rng.uniform() < 0.1) query.append(name, pick(HOSTILE));
				}
				urls.push(`${siteUrl(path)}?${query}`);
			}
			const failures: string[] = [];
			let next = 0;
			let done = 0;
			const tabs = await Promise.all(Array.from({ length: TABS }, () => fuzzTab()));
			await Promise.all(
				tabs.map(async (check) => {
					while (next < urls.length && failures.length < 5) {
						const i = next++;
						const problems = await check(urls[i]);
						done++;
						if (problems.length) {
							failures.push(`state ${i} (seed ${SEED}): ${urls[i]}\n  ${problems.join('\n  ')}`);
						}
					}
				})
			);
			console.log(`URL-state fuzz: ${done} states on ${fuzzed.length} pages, seed ${SEED}`);
			expect(failures).toEqual([]);
			expect(done).toBe(STATES);
		}
	);
});
