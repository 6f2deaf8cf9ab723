/**
 * The site under its Content-Security-Policy, in real Chromium: every page carries the policy,
 * and opening each page, scrolling its figures into view, and training on WebAssembly and
 * WebGPU (plain and cross-origin isolated) raises no violation. Also the headers scripts/serve.js
 * adds, and the 404 page it sends for unknown addresses: styled like the site, accessible in both
 * themes, with a working way home.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../../scripts/serve.js';
import { getBrowser, seriousA11yViolations, siteUrl, waitFor } from './browser';
import { TEST_BASE, TEST_BUILD_DIR } from './globalSetup';
import { allPages } from './pages';
import { text } from './read';

/** What the page's policy must say, directive by directive (hashes aside). */
const EXPECTED: Record<string, string[]> = {
	'default-src': ["'self'"],
	'script-src': ["'self'", "'wasm-unsafe-eval'"],
	'worker-src': ["'self'"],
	'connect-src': ["'self'"],
	'img-src': ["'self'", 'data:', 'blob:'],
	'font-src': ["'self'", 'data:'],
	'object-src': ["'none'"],
	'base-uri': ["'self'"]
};

interface Watched {
	page: Page;
	/** Violations the page reported, and console lines about the policy. */
	violations: () => Promise<string[]>;
	errors: string[];
}

/** A new page in `context` that records CSP violation events and CSP console messages. */
async function watched(context: BrowserContext): Promise<Watched> {
	const page = await context.newPage();
	const console: string[] = [];
	const errors: string[] = [];
	await page.addInitScript(() => {
		const w = window as unknown as { __csp: string[] };
		w.__csp = [];
		document.addEventListener('securitypolicyviolation', (e) =>
			w.__csp.push(
				`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`
			)
		);
	});
	const onConsole = (m: { type(): string; text(): string }) => {
		if (/content security policy|refused to/i.test(m.text())) console.push(m.text().slice(0, 300));
		if (m.type() === 'error') errors.push(m.text());
	};
	page.on('console', onConsole);
	page.on('worker', (w) => w.on('console', onConsole));
	page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
	return {
		page,
		errors,
		violations: async () => [
			...console,
			...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp))
		]
	};
}

/** Scroll down the page a screen at a time, so lazily started figures load their code and data. */
async function scrollThrough(page: Page) {
	const height = await page.evaluate(() => document.documentElement.scrollHeight);
	for (let y = 0; y < height; y += 700) {
		await page.evaluate((top) => window.scrollTo({ top, behavior: 'instant' }), y);
		await page.waitForTimeout(120);
	}
	await page.waitForLoadState('networkidle');
}

/** The policy in the page's <meta>, as directive → sources. */
async function pagePolicy(page: Page): Promise<Record<string, string[]>> {
	const content = await page
		.locator('meta[http-equiv="content-security-policy"]')
		.getAttribute('content');
	return Object.fromEntries(
		(content ?? '')
			.split(';')
			.map((d) => d.trim().split(/\s+/))
			.filter((d) => d[0])
			.map(([name, ...sources]) => [name, sources])
	);
}

describe('Content-Security-Policy', () => {
	let context: BrowserContext;
	beforeAll(async () => {
		context = await (await getBrowser()).newContext({ viewport: { width: 1280, height: 900 } });
	});
	afterAll(async () => {
		await context.close();
	});

	const pages = allPages();
	it('covers every page of the build', () => {
		expect(pages.length).toBeGreaterThan(5);
		expect(pages).toContain('licence/');
	});

	for (const path of pages) {
		it(`/${path}: carries the policy and runs with no violation`, async () => {
			const { page, violations, errors } = await watched(context);
			try {
				await page.goto(siteUrl(path), { waitUntil: 'networkidle' });
				const policy = await pagePolicy(page);
				for (const [directive, sources] of Object.entries(EXPECTED)) {
					for (const s of sources) expect(policy[directive], directive).toContain(s);
				}
				// The theme script and SvelteKit's start-up script are allowed by hash, not by 'unsafe-inline'.
				expect(policy['script-src']).not.toContain("'unsafe-inline'");
				expect(policy['script-src'].filter((s) => s.startsWith("'sha256-")).length).toBe(2);
				// The policy is in force before the template's inline script runs.
				const order = await page.evaluate(() => {
					const meta = document.querySelector('meta[http-equiv="content-security-policy"]')!;
					const script = [...document.head.querySelectorAll('script')].find((s) =>
						s.textContent!.includes('why-peft:theme')
					)!;
					return meta.compareDocumentPosition(script) & Node.DOCUMENT_POSITION_FOLLOWING;
				});
				expect(order).toBeTruthy();
				await scrollThrough(page);
				expect(await violations()).toEqual([]);
				expect(errors).toEqual([]);
			} finally {
				await page.close();
			}
		});
	}

	it('blocks what it should: an inline script injected into a page does not run', async () => {
		const { page, violations } = await watched(context);
		try {
			await page.goto(siteUrl(''), { waitUntil: 'networkidle' });
			const ran = await page.evaluate(() => {
				const s = document.createElement('script');
				s.textContent = 'window.__injected = true';
				document.body.append(s);
				return (window as unknown as { __injected?: boolean }).__injected === true;
			});
			expect(ran).toBe(false);
			expect((await violations()).join('\n')).toMatch(/script-src/);
		} finally {
			await page.close();
		}
	});

	for (const backend of ['wasm', 'webgpu'] as const) {
		it(
			`trains the lab's widget on ${backend} with no violation`,
			{ timeout: 240_000 },
			async () => {
				const steps = backend === 'webgpu' ? 10 : 40;
				const { page, violations, errors } = await watched(context);
				try {
					await page.goto(siteUrl(`lab/?backend=${backend}&steps=${steps}&lr=0.01`), {
						waitUntil: 'networkidle'
					});
					const train = page.getByRole('button', { name: 'Train' });
					// The widget starts loading when it nears the screen.
					await train.scrollIntoViewIfNeeded();
					await waitFor(page, () => train.isEnabled(), 120_000);
					await train.click();
					await waitFor(page, async () => Number(await text(page, 'step')) >= steps, 200_000);
					expect(await page.locator('[data-backend]').getAttribute('data-backend')).toBe(backend);
					expect(await violations()).toEqual([]);
					expect(errors).toEqual([]);
				} finally {
					await page.close();
				}
			}
		);
	}

	it(
		'trains on the threaded WebAssembly build, cross-origin isolated, with no violation',
		{
			timeout: 240_000
		},
		async () => {
			const server = await serve({ dir: TEST_BUILD_DIR, base: TEST_BASE, port: 0, isolate: true });
			const isolated = await (await getBrowser()).newContext();
			const { page, violations, errors } = await watched(isolated);
			const wasmFiles: string[] = [];
			isolated.on('request', (r) => {
				const m = /\/(tfjs-backend-wasm[-a-z]*)-[\w-]+\.wasm$/.exec(new URL(r.url()).pathname);
				if (m) wasmFiles.push(m[1]);
			});
			try {
				await page.goto(`${server.url}lab/?backend=wasm&steps=20&lr=0.01`);
				expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
				const train = page.getByRole('button', { name: 'Train' });
				await train.scrollIntoViewIfNeeded();
				await waitFor(page, () => train.isEnabled(), 120_000);
				await train.click();
				await waitFor(page, async () => Number(await text(page, 'step')) >= 20, 200_000);
				// The build whose threads tfjs starts from blob: URLs, inside the trainer's worker.
				expect(wasmFiles).toContain('tfjs-backend-wasm-threaded-simd');
				expect(await violations()).toEqual([]);
				expect(errors).toEqual([]);
			} finally {
				await isolated.close();
				await server.close();
			}
		}
	);
});

describe('what the server adds', () => {
	it('sends nosniff, a referrer policy and frame-ancestors with pages and files', async () => {
		for (const path of ['', 'lab/', 'sitemap.xml', 'favicon.svg']) {
			const r = await fetch(siteUrl(path));
			expect(r.status, path).toBe(200);
			expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
			expect(r.headers.get('referrer-policy'), path).toBe('strict-origin-when-cross-origin');
		}
		const r = await fetch(siteUrl(''));
		expect(r.headers.get('content-security-policy')).toBe("frame-ancestors 'self'");
		// A figure's embed page, and only it, may be framed by any site.
		const embed = await fetch(siteUrl('embed/fig-spectrum/'));
		expect(embed.status).toBe(200);
		expect(embed.headers.get('content-security-policy')).toBe('frame-ancestors *');
		expect(embed.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
		const lesson = await fetch(siteUrl('lessons/low-rank-updates/'));
		expect(lesson.headers.get('content-security-policy')).toBe("frame-ancestors 'self'");
	});
});

describe('the 404 page', () => {
	for (const path of ['no-such-page/', 'lessons/no-such-lesson/', 'a/b/c/d.html']) {
		it(`answers /${path} with 404 and the site's own page, with a way home`, async () => {
			const context = await (await getBrowser()).newContext();
			const page = await context.newPage();
			const failed: string[] = [];
			page.on('response', (r) => {
				if (r.status() >= 400 && r.url() !== siteUrl(path)) failed.push(r.url());
			});
			const errors: string[] = [];
			page.on('console', (m) => {
				if (m.type() === 'error' && !/404/.test(m.text())) errors.push(m.text());
			});
			try {
				const response = await page.goto(siteUrl(path));
				expect(response?.status()).toBe(404);
				expect(await page.locator('h1').innerText()).toBe('There is no page here');
				expect(await page.title()).toBe('Page not found · Why PEFT');
				// Styled like the site: the layout's sticky header and the page head's accent kicker.
				expect(
					await page.locator('header.site').evaluate((h) => getComputedStyle(h).position)
				).toBe('sticky');
				expect(failed).toEqual([]);
				expect(errors).toEqual([]);
				// It runs no JavaScript, so it shows no theme button that could not work.
				expect(await page.getByRole('button').count()).toBe(0);
				await page.getByRole('link', { name: 'The course map' }).click();
				await page.waitForLoadState('networkidle');
				expect(page.url()).toBe(siteUrl(''));
				expect(await page.locator('h1').innerText()).toMatch(/parameter-efficient fine-tuning/);
			} finally {
				await context.close();
			}
		});
	}

	for (const colorScheme of ['light', 'dark'] as const) {
		it(`is accessible (${colorScheme})`, async () => {
			const context = await (await getBrowser()).newContext({ colorScheme });
			const page = await context.newPage();
			try {
				await page.goto(siteUrl('missing/'));
				expect(await seriousA11yViolations(page)).toEqual([]);
			} finally {
				await context.close();
			}
		});
	}
});
