/**
 * A page under watch: every browser test opens pages through `openPage`, which records console
 * errors, failed requests, requests to any host but the local one, and the JavaScript the page
 * loaded (raw and gzipped bytes), so each test can assert a clean, local, light page.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import {
	chromium,
	type Browser,
	type BrowserContextOptions,
	type Page,
	type Request
} from 'playwright-core';
import { inject } from 'vitest';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** What happened while a page was open. */
export interface PageLog {
	consoleErrors: string[];
	failedRequests: string[];
	foreignRequests: string[];
	/** Every script the page itself loaded (not its workers), with its gzipped size in bytes. */
	scripts: { url: string; gzipBytes: number }[];
}

let browser: Browser | undefined;

/**
 * Whether a script belongs to the page rather than to a worker. Workers load only when a widget
 * starts, so their code is not part of what a page costs before that. Chromium attributes a
 * worker's requests to the page's frame, so tell them apart by where Vite puts worker bundles.
 */
function inPage(request: Request): boolean {
	return !new URL(request.url()).pathname.includes('/_app/immutable/workers/');
}

/**
 * The shared Chromium (started in globalSetup). Its new contexts block service workers unless
 * given `serviceWorkers: 'allow'` (offline.spec does): each fresh context would otherwise store
 * the whole course, 17 MB, on its first page.
 */
export async function getBrowser(): Promise<Browser> {
	if (!browser) {
		const b = await chromium.connect(inject('wsEndpoint'));
		const newContext = b.newContext.bind(b);
		b.newContext = (options = {}) => newContext({ serviceWorkers: 'block', ...options });
		browser = b;
	}
	return browser;
}

/** Absolute URL of a site path such as `lessons/why-peft/` (no leading slash). */
export function siteUrl(path = ''): string {
	return new URL(path, inject('baseURL')).href;
}

/** Open a fresh context and page, watching console, network and scripts. */
export async function openPage(
	path = '',
	options: BrowserContextOptions = {}
): Promise<{ page: Page; log: PageLog; close: () => Promise<void> }> {
	const b = await getBrowser();
	const context = await b.newContext({ viewport: { width: 1280, height: 900 }, ...options });
	const page = await context.newPage();
	const log: PageLog = { consoleErrors: [], failedRequests: [], foreignRequests: [], scripts: [] };
	const local = new URL(inject('baseURL')).host;
	const pending: Promise<void>[] = [];
	page.on('console', (m) => {
		if (m.type() === 'error') log.consoleErrors.push(m.text());
	});
	page.on('pageerror', (e) => log.consoleErrors.push(`uncaught: ${e.message}`));
	page.on('request', (r) => {
		const url = new URL(r.url());
		if (url.protocol.startsWith('http') && url.host !== local) log.foreignRequests.push(r.url());
	});
	page.on('requestfailed', (r) =>
		log.failedRequests.push(`${r.url()} (${r.failure()?.errorText})`)
	);
	page.on('response', (r) => {
		if (r.status() >= 400) log.failedRequests.push(`${r.url()} (HTTP ${r.status()})`);
		if (r.request().resourceType() === 'script' && inPage(r.request())) {
			pending.push(
				r.body().then(
					(body) => void log.scripts.push({ url: r.url(), gzipBytes: gzipSync(body).length }),
					() => undefined
				)
			);
		}
	});
	await page.goto(siteUrl(path), { waitUntil: 'networkidle' });
	await Promise.all(pending);
	return {
		page,
		log,
		close: async () => {
			await Promise.all(pending);
			await context.close();
		}
	};
}

/** Total gzipped JavaScript the page has loaded so far, in bytes. */
export function jsGzipBytes(log: PageLog): number {
	const seen = new Map(log.scripts.map((s) => [s.url, s.gzipBytes]));
	return [...seen.values()].reduce((a, b) => a + b, 0);
}

/** Violations of impact serious or critical that axe-core finds on the page. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
	// Evaluated, not added as a <script>: the pages' Content-Security-Policy blocks inline scripts.
	await page.evaluate(AXE_SOURCE);
	const violations = await page.evaluate(async () => {
		const w = window as unknown as {
			axe: {
				run: (
					ctx: Document,
					opts: object
				) => Promise<{
					violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
				}>;
			};
		};
		const result = await w.axe.run(document, { resultTypes: ['violations'] });
		return result.violations.map((v) => ({
			id: v.id,
			impact: v.impact,
			help: v.help,
			targets: v.nodes.slice(0, 3).map((n) => n.target.join(' '))
		}));
	});
	return violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.targets.join(', ')}`);
}

/** Poll `fn` every 100 ms until it holds; throws after `ms` milliseconds. */
export async function waitFor(page: Page, fn: () => boolean | Promise<boolean>, ms = 60_000) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (await fn()) return;
		await page.waitForTimeout(100);
	}
	throw new Error(`timed out after ${ms} ms`);
}
