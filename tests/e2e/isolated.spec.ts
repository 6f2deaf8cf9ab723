/**
 * The course served cross-origin isolated (COOP same-origin, COEP require-corp: what a host that
 * enables SharedArrayBuffer sends). There tfjs picks its threaded WebAssembly build, whose threads
 * start from a Blob of the factory's source: bundled as is, that source dies in the thread with
 * "… is not defined" and the backend never starts (scripts/vite/wasmThreads.js fixes it). The
 * lab must load the threaded build, train on it and say so, with no console error. And it must
 * really run several threads: tfjs caps its pool at half the logical cores, which left a
 * two-core machine (like this one) on one thread whatever it was asked (`backends.ts` lifts it).
 * Our own SIMD kernels share their work over helper threads there too; the language model
 * fine-tuned there writes exactly the text it writes on a page that is not isolated (one thread).
 */
import type { Browser } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { serve } from '../../scripts/serve.js';
import { getBrowser, waitFor } from './browser';
import { text } from './read';
import { TEST_BASE, TEST_BUILD_DIR } from './globalSetup';

describe('a cross-origin isolated page', () => {
	it('trains on the threaded WebAssembly build', { timeout: 180_000 }, async () => {
		const server = await serve({ dir: TEST_BUILD_DIR, base: TEST_BASE, port: 0, isolate: true });
		const context = await (await getBrowser()).newContext();
		const errors: string[] = [];
		const wasmFiles: string[] = [];
		context.on('console', (m) => {
			if (m.type() === 'error') errors.push(m.text());
		});
		context.on('request', (r) => {
			const m = /\/(tfjs-backend-wasm[-a-z]*)-[\w-]+\.wasm$/.exec(new URL(r.url()).pathname);
			if (m) wasmFiles.push(m[1]);
		});
		try {
			const page = await context.newPage();
			await page.goto(`${server.url}lab/?backend=wasm&steps=40&lr=0.01`);
			expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
			const train = page.getByRole('button', { name: 'Train' });
			await waitFor(page, () => train.isEnabled(), 60_000);
			await train.click();
			await waitFor(page, async () => (await page.locator('[data-backend]').count()) > 0, 60_000);
			expect(await page.locator('[data-backend]').getAttribute('data-backend')).toBe('wasm');
			await waitFor(page, async () => Number(await text(page, 'step')) >= 40, 120_000);
			const curve = page.getByTestId('loss-curve');
			expect(Number(await curve.getAttribute('data-last'))).toBeLessThan(
				Number(await curve.getAttribute('data-first'))
			);
			expect(wasmFiles).toContain('tfjs-backend-wasm-threaded-simd');
			const cores = await page.evaluate(() => navigator.hardwareConcurrency);
			const threads = Math.min(4, cores);
			if (threads > 1)
				expect(await page.locator('.badge .why').textContent()).toContain(
					`It runs ${threads} WebAssembly threads (this page is cross-origin isolated); the course's own kernels share their work over ${threads}.`
				);
			expect(errors).toEqual([]);
		} finally {
			await context.close();
			await server.close();
		}
	});

	it(
		'fine-tunes the language model to the same text, bit for bit, as one thread does',
		{ timeout: 400_000 },
		async () => {
			const server = await serve({ dir: TEST_BUILD_DIR, base: TEST_BASE, port: 0, isolate: true });
			const browser = await getBrowser();
			try {
				const isolated = await tenSteps(browser, server.url, true);
				const plain = await tenSteps(browser, inject('baseURL'), false);
				expect(isolated.badge).toContain("the course's own kernels share their work over");
				expect(plain.badge).not.toContain('threads');
				expect(isolated.text.length).toBeGreaterThanOrEqual(200);
				expect(isolated.text).toBe(plain.text);
				expect(isolated.last).toBe(plain.last);
			} finally {
				await server.close();
			}
		}
	);
});

/**
 * Ten steps of full fine-tuning of the lab's language model on WebAssembly, from `base`; then a
 * sample. Returns the sample, the held-out bits per character after the steps, and the badge.
 */
async function tenSteps(browser: Browser, base: string, isolated: boolean) {
	const context = await browser.newContext();
	const errors: string[] = [];
	context.on('console', (m) => {
		if (m.type() === 'error') errors.push(m.text());
	});
	try {
		const page = await context.newPage();
		await page.goto(
			`${base}lab/?backend=wasm&lm-backend=wasm&lm-method=full&lm-lr=0.002&lm-steps=10`
		);
		expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(isolated);
		const fig = page.locator('#language-lab');
		await fig.getByRole('button', { name: 'Fine-tune' }).click();
		const sample = fig.getByTestId('lm-sample');
		const curve = fig.getByTestId('lm-curve');
		await waitFor(page, async () => (await curve.getAttribute('data-last-step')) === '10', 300_000);
		const generate = fig.getByRole('button', { name: 'Generate' });
		await waitFor(page, () => generate.isEnabled(), 60_000);
		await generate.click();
		await waitFor(page, async () => (await sample.getAttribute('data-step')) === '10', 60_000);
		await waitFor(page, () => generate.isEnabled(), 60_000);
		expect(errors).toEqual([]);
		return {
			text: await fig.getByTestId('lm-sample-text').innerText(),
			last: await curve.getAttribute('data-last'),
			badge: (await fig.locator('.badge .why').textContent()) ?? ''
		};
	} finally {
		await context.close();
	}
}
