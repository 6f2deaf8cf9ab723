/**
 * The trainer in real Chromium, through the lab's demo widget: forced onto each tfjs backend
 * (WebGPU through SwiftShader included), it must report that backend and make the loss fall.
 * Also: automatic choice on this GPU-less machine, URL state and bad input, divergence, reset.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage, waitFor } from './browser';

const text = (page: Page, testid: string) => page.getByTestId(testid).innerText();

async function trainedSteps(page: Page): Promise<number> {
	return Number(await text(page, 'step'));
}

/** The first and last points of the plotted training-loss curve, as the widget exposes them. */
async function lossRange(page: Page): Promise<{ first: number; last: number; n: number }> {
	const curve = page.getByTestId('loss-curve');
	return {
		first: Number(await curve.getAttribute('data-first')),
		last: Number(await curve.getAttribute('data-last')),
		n: Number(await curve.getAttribute('data-points'))
	};
}

describe('demo widget on each backend', () => {
	// WebGPU here is SwiftShader: compiling its shaders takes most of a minute on two cores.
	for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu'] as const) {
		it(`trains on ${backend} when forced, and the loss falls`, { timeout: 240_000 }, async () => {
			const steps = backend === 'webgpu' ? 20 : 60;
			const { page, log, close } = await openPage(`lab/?backend=${backend}&steps=${steps}&lr=0.01`);
			try {
				await waitFor(page, async () => (await page.locator('[data-backend]').count()) > 0);
				expect(await page.locator('[data-backend]').getAttribute('data-backend')).toBe(backend);
				await waitFor(
					page,
					async () => await page.getByRole('button', { name: 'Train' }).isEnabled()
				);
				await page.getByRole('button', { name: 'Train' }).click();
				await waitFor(page, async () => (await trainedSteps(page)) >= steps, 200_000);
				const loss = await lossRange(page);
				expect(loss.n).toBeGreaterThan(1);
				expect(loss.last).toBeLessThan(loss.first);
				expect(await page.locator('[data-backend]').getAttribute('data-backend')).toBe(backend);
				expect(log.consoleErrors).toEqual([]);
			} finally {
				await close();
			}
		});
	}
});

describe('demo widget', () => {
	it('picks a backend by itself and says why (a software WebGPU adapter here)', async () => {
		const { page, close } = await openPage('lab/');
		try {
			await waitFor(page, async () => (await page.locator('[data-backend]').count()) > 0);
			const chosen = await page.locator('[data-backend]').getAttribute('data-backend');
			expect(['wasm', 'webgl']).toContain(chosen);
			expect(await page.locator('.why').innerText()).toMatch(/software.*was fastest in a warm-up/);
		} finally {
			await close();
		}
	});

	it('keeps its settings in the URL and clamps bad input with a message', async () => {
		const { page, close } = await openPage('lab/?backend=wasm&rank=999&lr=banana&method=lora');
		try {
			const notes = await page.getByRole('status').allInnerTexts();
			expect(notes.join(' ')).toMatch(/999 is above the largest LoRA rank, 64; using 64/);
			expect(notes.join(' ')).toMatch(/“banana” is not a number for learning rate/);
			const slider = page.getByRole('slider', { name: /LoRA rank/ });
			await slider.focus();
			await page.keyboard.press('Home');
			await page.keyboard.press('ArrowRight');
			await slider.dispatchEvent('change');
			await waitFor(page, () => page.url().includes('rank=2'));
			// rank 2 on l0 [64×128] and l1 [128×128]: r·(in + out) = 2·(64+128) + 2·(128+128) = 896
			await waitFor(page, async () => (await text(page, 'trainable')).startsWith('896 '));
		} finally {
			await close();
		}
	});

	it('stops a diverging run with an explanation and recovers on reset', async () => {
		const { page, close } = await openPage('lab/?backend=wasm&method=full&lr=10&steps=400');
		try {
			await waitFor(
				page,
				async () => await page.getByRole('button', { name: 'Train' }).isEnabled()
			);
			await page.getByRole('button', { name: 'Train' }).click();
			await waitFor(page, async () => (await page.getByRole('alert').count()) > 0);
			expect(await page.getByRole('alert').innerText()).toMatch(/diverged.*learning rate/s);
			await page.getByRole('button', { name: 'Reset the run' }).click();
			await waitFor(page, async () => (await page.getByRole('alert').count()) === 0);
			expect(await trainedSteps(page)).toBe(0);
		} finally {
			await close();
		}
	});

	it(
		'moves a run to another backend when its GPU device is lost, and says so',
		{ timeout: 240_000 },
		async () => {
			const { page, close } = await openPage('lab/?backend=webgpu&steps=100000');
			try {
				const train = page.getByRole('button', { name: 'Train' });
				await waitFor(page, async () => await train.isEnabled(), 120_000);
				await train.click();
				await waitFor(page, async () => (await trainedSteps(page)) >= 3, 120_000);
				// Destroy the worker's WebGPU device, as a driver reset or a lost GPU would.
				const worker = page.workers()[0];
				const destroyed = await worker.evaluate(() => {
					const engine = (
						globalThis as unknown as { _tfengine?: { backend?: { device?: { destroy(): void } } } }
					)._tfengine;
					engine?.backend?.device?.destroy();
					return engine?.backend?.device !== undefined;
				});
				expect(destroyed).toBe(true);
				await waitFor(page, async () => (await page.getByRole('alert').count()) > 0, 120_000);
				expect(await page.getByRole('alert').innerText()).toMatch(
					/webgpu failed .*continuing on \w+ from step/
				);
				const after = await page.locator('[data-backend]').getAttribute('data-backend');
				expect(after).not.toBe('webgpu');
				const stepAtFallback = await trainedSteps(page);
				await waitFor(page, async () => (await trainedSteps(page)) > stepAtFallback + 5, 120_000);
			} finally {
				await close();
			}
		}
	);
});
