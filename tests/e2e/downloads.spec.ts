/**
 * Downloads of models and data in the real worker: a request that hangs is given up after the
 * timeout and made again, with the retry shown in the figure, and the run then starts; a file
 * whose bytes differ from the manifest stops with a message that names it and both short hashes,
 * and "Try again" fetches it afresh. Requests are intercepted with `context.route`, which also
 * sees the trainer worker's fetches (checked: each test counts the worker's requests it caught).
 */
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DOWNLOAD_POLICY } from '$lib/trainer/assets';
import { getBrowser, siteUrl, waitFor } from './browser';

const DIGITS = '**/data/digits/digits.bin';
const manifest = JSON.parse(readFileSync('static/data/manifest.json', 'utf8'));

/** A fresh context whose `route` is in place before the lab loads. */
async function openLab(
	route: (r: Route, n: number) => Promise<void> | void
): Promise<{ page: Page; context: BrowserContext; errors: string[]; calls: () => number }> {
	// No service worker: its precache would fetch the digits too, and take the first request.
	const context = await (
		await getBrowser()
	).newContext({
		viewport: { width: 1280, height: 900 },
		serviceWorkers: 'block'
	});
	let n = 0;
	await context.route(DIGITS, (r) => route(r, ++n));
	const page = await context.newPage();
	const errors: string[] = [];
	page.on('pageerror', (e) => errors.push(e.message));
	await page.goto(siteUrl('lab/?backend=wasm&steps=20'), { waitUntil: 'load' });
	// The trainer, and its downloads, start on the reader's first Train.
	const train = page.getByRole('button', { name: 'Train' });
	await waitFor(page, () => train.isEnabled());
	await train.click();
	return { page, context, errors, calls: () => n };
}

/** The run is configured: its base and data loaded, its trainable parameters counted. */
const ready = async (page: Page) => (await page.getByTestId('trainable').count()) > 0;

describe('downloads in the trainer worker', () => {
	it('retry a request that hangs, saying so, and then train', { timeout: 60_000 }, async () => {
		const held: Route[] = [];
		const { page, context, errors, calls } = await openLab((r, n) => {
			if (n === 1)
				held.push(r); // never answered: the worker's timeout must end it
			else return r.continue();
		});
		try {
			const s = DEFAULT_DOWNLOAD_POLICY.timeoutMs / 1000;
			const note = page.getByText(`Loading digits data: timed out after ${s} s; retrying (2 of 3)`);
			await note.waitFor({ timeout: DEFAULT_DOWNLOAD_POLICY.timeoutMs + 10_000 });
			expect(held.length).toBe(1);
			// The retry goes through and the run is ready to train.
			await waitFor(page, () => ready(page), 20_000);
			expect(calls()).toBe(2);
			expect(await page.getByRole('alert').count()).toBe(0);
			expect(errors).toEqual([]);
		} finally {
			await context.close();
		}
	});

	it(
		'stop on a corrupted file with its name and both hashes, and load it on Try again',
		{ timeout: 60_000 },
		async () => {
			let corrupt = true;
			const { page, context, errors, calls } = await openLab(async (r) => {
				if (!corrupt) return r.continue();
				const res = await r.fetch();
				const bytes = Buffer.from(await res.body());
				bytes[1000] ^= 0xff;
				await r.fulfill({ response: res, body: bytes });
			});
			try {
				const alert = page.getByRole('alert');
				await alert.waitFor({ timeout: 30_000 });
				const message = await alert.innerText();
				expect(message).toContain('/why-peft/data/digits/digits.bin does not match its manifest');
				expect(message).toContain(`sha256 expected ${manifest.digits.sha256.slice(0, 12)}…, got `);
				expect(message).not.toContain(`got ${manifest.digits.sha256.slice(0, 12)}`);
				expect(calls()).toBe(1); // a hash mismatch is not retried by itself
				expect(await page.getByTestId('trainable').count()).toBe(0);
				corrupt = false;
				await page.getByRole('button', { name: 'Try again' }).click();
				await waitFor(page, () => ready(page), 30_000);
				expect(await page.getByRole('alert').count()).toBe(0);
				expect(calls()).toBe(2);
				expect(errors).toEqual([]);
			} finally {
				await context.close();
			}
		}
	);
});
