/**
 * The trainer in real Chromium, through the lab's demo widget: forced onto each tfjs backend
 * (WebGPU through SwiftShader included), it must report that backend and make the loss fall.
 * Also: automatic choice on this GPU-less machine, URL state and bad input, divergence, reset,
 * and an experiment queue run in the real worker on WebGPU and on WebAssembly.
 */
import type { Page, Worker } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { adapterSimilarity } from '$lib/math/spectrum';
import type { QueuedResult, QueuedRun, TrainerEvent } from '$lib/trainer/protocol';
import { openPage, waitFor } from './browser';
import { text } from './read';
import { smallShiftLora } from '../unit/trainer/smallShiftLora';

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
				// The trainer starts on the reader's first Train, not before.
				expect(await page.locator('[data-backend]').count()).toBe(0);
				await waitFor(
					page,
					async () => await page.getByRole('button', { name: 'Train' }).isEnabled()
				);
				await page.getByRole('button', { name: 'Train' }).click();
				await waitFor(page, async () => (await page.locator('[data-backend]').count()) > 0);
				expect(await page.locator('[data-backend]').getAttribute('data-backend')).toBe(backend);
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
			const train = page.getByRole('button', { name: 'Train' });
			await waitFor(page, () => train.isEnabled());
			await train.click();
			// Training starts at once on WebAssembly while a probe worker warms up the others.
			await waitFor(page, async () => (await page.locator('[data-backend]').count()) > 0);
			await waitFor(page, async () =>
				/was fastest in a warm-up/.test(await page.locator('.why').innerText())
			);
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
	// A lost WebGPU device (the run moves to another backend and says so) is tested with the
	// tensor counts on webgpu in lifecycle.spec.ts, which also checks nothing of the lost backend
	// is left.
});

describe('experiment queue in the worker', () => {
	const spec = smallShiftLora({ alpha: 4, seed: 3 });
	const runs: QueuedRun[] = [
		{
			id: 'r2',
			spec: { ...spec, rank: 2 },
			steps: 10,
			measure: {
				spectrum: 'l1',
				factors: 'l1',
				truncation: { layer: 'l1', ks: [0, 2, 128] },
				original: { kind: 'digits', task: 'pretrain' },
				curveEvery: 5
			}
		},
		{ id: 'r4', spec: { ...spec, rank: 4 }, steps: 8, measure: { factors: 'l1' } }
	];
	const seen = new Map<string, QueuedResult[]>();

	/**
	 * Send `runs` to the lab's trainer worker as the page's client would, and record the queue's
	 * events there (the page's own client hears them too).
	 */
	async function sendQueue(worker: Worker, queued: QueuedRun[]) {
		await worker.evaluate((q) => {
			const g = globalThis as unknown as {
				postMessage(m: { type: string }, t?: Transferable[]): void;
				onmessage(e: { data: unknown }): void;
				queueEvents: unknown[];
			};
			g.queueEvents = [];
			const post = g.postMessage.bind(g);
			g.postMessage = (m, t) => {
				if (m.type.startsWith('queue')) g.queueEvents.push(m);
				post(m, t);
			};
			g.onmessage({ data: { type: 'queue', runs: q } });
		}, queued);
	}

	const queueEvents = (worker: Worker) =>
		worker.evaluate(() => (globalThis as unknown as { queueEvents: TrainerEvent[] }).queueEvents);

	for (const backend of ['webgpu', 'wasm'] as const) {
		// SwiftShader compiles a WebGPU shader for each new shape: minutes on two busy cores.
		it(`runs a queue on ${backend} and measures each run`, { timeout: 540_000 }, async () => {
			const { page, log, close } = await openPage(`lab/?backend=${backend}`);
			try {
				// Start the trainer with ten steps (it stops by itself), then send it a queue.
				const train = page.getByRole('button', { name: 'Train' });
				const tenSteps = page.locator('#finetune-demo').getByRole('button', { name: 'Step ×10' });
				await waitFor(page, async () => await tenSteps.isEnabled(), 60_000);
				await tenSteps.click();
				await waitFor(page, async () => (await trainedSteps(page)) >= 10, 200_000);
				await waitFor(page, async () => (await train.count()) > 0 && (await train.isEnabled()));
				expect(await page.locator('[data-backend]').getAttribute('data-backend')).toBe(backend);
				const worker = page.workers().find((w) => w.url().includes('trainer.worker'));
				expect(worker).toBeDefined();
				await sendQueue(worker!, runs);
				const done = async () => (await queueEvents(worker!)).some((e) => e.type === 'queue-done');
				await waitFor(page, done, 320_000);
				const events = await queueEvents(worker!);
				expect(events.at(-1)).toEqual({ type: 'queue-done', cancelled: false, completed: 2 });
				const progress = events.filter((e) => e.type === 'queue-progress');
				expect(progress.length).toBeGreaterThan(0);
				expect(progress.every((e) => e.backend === backend)).toBe(true);
				const results = events.flatMap((e) => (e.type === 'queue-result' ? [e.result] : []));
				expect(results.map((r) => [r.id, r.backend, r.steps])).toEqual([
					['r2', backend, 10],
					['r4', backend, 8]
				]);
				const [a, b] = results;
				for (const r of results) {
					expect(r.diverged).toBeUndefined();
					expect(r.startAccuracy).toBeGreaterThan(0.6);
					expect(r.testAccuracy).toBeGreaterThan(0.6);
				}
				expect(a.trainableParams).toBe(2 * (128 + 128));
				expect(a.singularValues!.length).toBe(128);
				expect(a.singularValues![2]).toBeLessThan(1e-4 * a.singularValues![0]);
				expect(a.truncation).toEqual([
					{ k: 0, accuracy: a.startAccuracy },
					{ k: 2, accuracy: a.testAccuracy },
					{ k: 128, accuracy: a.testAccuracy }
				]);
				expect(a.curve!.map((p) => p.step)).toEqual([0, 5, 10]);
				expect(a.originalAccuracy).toBeGreaterThan(0.9);
				expect([a.factors!.A.length, b.factors!.A.length, b.factors!.B.length]).toEqual([
					2 * 128,
					4 * 128,
					128 * 4
				]);
				const phi = adapterSimilarity(a.factors!, b.factors!);
				expect(phi.every((v) => v >= 0 && v <= 1)).toBe(true);
				seen.set(backend, results);
				expect(log.consoleErrors).toEqual([]);
			} finally {
				await close();
			}
		});
	}

	it('agrees across backends on what is measured before training', () => {
		const [gpu, wasm] = [seen.get('webgpu'), seen.get('wasm')];
		if (!gpu || !wasm) throw new Error('both backends must have run the queue');
		// The same base on the same held-out digits: at most one example may fall differently.
		for (let i = 0; i < 2; i++)
			expect(Math.abs(gpu[i].startAccuracy - wasm[i].startAccuracy)).toBeLessThanOrEqual(1 / 359);
		expect(gpu[0].trainableParams).toBe(wasm[0].trainableParams);
	});
});
