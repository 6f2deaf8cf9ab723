/**
 * Lesson 4 in real Chromium: each figure trains for real in its worker on the backend asked for
 * (WebGPU through SwiftShader, and WebAssembly), and the backend used is asserted. Figure 2's
 * loss falls and its spectrum appears (a non-empty list of singular values in the data table);
 * figure 4's "LoRA rank" slider moves with the keyboard and the trainer's count follows
 * r·(d + k); figure 5 shows recorded φ first and computes it live on request. State survives a
 * round trip through the URL, and bad URL values are clamped with a message.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage, waitFor } from './browser';
import { text, tableRows } from './read';
import RECORDED from '$lib/data/lowRankRecorded.json';
import { phiSentence } from '../../lessons/04-low-rank-updates/phi';
import { pct } from '$lib/format';
import LM_RECORDED from '$lib/data/lmLowRank.json';

const LESSON = 'lessons/low-rank-updates/';
const BACKENDS = ['webgpu', 'wasm'] as const;

const attr = async (page: Page, testid: string, name: string) =>
	page.getByTestId(testid).getAttribute(name);

describe('lesson 4, figure 2: the spectrum of ΔW', () => {
	for (const backend of BACKENDS) {
		it(
			`trains on ${backend}: the loss falls and the spectrum appears`,
			{ timeout: 240_000 },
			async () => {
				const steps = backend === 'webgpu' ? 30 : 80;
				const { page, log, close } = await openPage(
					`${LESSON}?spectrum-backend=${backend}&spectrum-steps=${steps}`
				);
				try {
					const fig = page.locator('#fig-spectrum');
					await fig.scrollIntoViewIfNeeded();
					const train = fig.getByRole('button', { name: 'Train', exact: true });
					await waitFor(page, () => train.isEnabled(), 120_000);
					// Recorded first: the spectrum recorded for this setup until the reader trains.
					await waitFor(page, async () =>
						/^Recorded on/.test(await text(page, 'spectrum-summary'))
					);
					await train.click();
					await waitFor(page, async () => (await text(page, 'spectrum-source')) !== 'Recorded');
					await waitFor(
						page,
						async () => (await text(page, 'spectrum-status')).startsWith('Done'),
						180_000
					);
					expect(await attr(page, 'spectrum-status', 'data-backend')).toBe(backend);
					const first = Number(await attr(page, 'spectrum-loss', 'data-first'));
					const last = Number(await attr(page, 'spectrum-loss', 'data-last'));
					expect(last).toBeLessThan(first);
					const summary = await text(page, 'spectrum-summary');
					const held = new RegExp(
						`After ${steps} steps.*top 4 directions hold (\\d+)% of the update's energy`
					).exec(summary);
					expect(held, summary).not.toBeNull();
					// The spectrum of ΔW (128 singular values of hidden layer 2), W₀ and the random reference.
					await waitFor(
						page,
						async () => (await tableRows(page, /Singular values of ΔW/)).length === 128
					);
					const rows = await tableRows(page, /Singular values of ΔW/);
					const sigma = rows.map((r) => Number(r[1]));
					// The summary's share is the table's singular values' (printed rounded, hence ± 1).
					const energy = sigma.reduce((a, v) => a + v * v, 0);
					const top4 = sigma.slice(0, 4).reduce((a, v) => a + v * v, 0) / energy;
					expect(Math.abs(Number(held![1]) - 100 * top4)).toBeLessThanOrEqual(1);
					expect(sigma[0]).toBeGreaterThan(0);
					expect(sigma.every((s, i) => i === 0 || s <= sigma[i - 1])).toBe(true);
					expect(rows[127][2]).toBe('100.0%');
					expect(Number(rows[0][3])).toBeGreaterThan(0);
					expect(await fig.locator('[data-series="base"]').getAttribute('data-count')).toBe('128');
					expect(await fig.locator('[data-series="delta"]').getAttribute('data-count')).toBe('128');
					expect(log.consoleErrors).toEqual([]);
				} finally {
					await close();
				}
			}
		);
	}
});

describe('lesson 4, figure 2: the other setups', () => {
	// The planted teacher (a rank-2 change, so ΔW of the hidden layer should be nearly rank 2) and
	// the tiny transformer's W_v, each trained briefly on wasm: the spectrum of the chosen matrix
	// appears with its own size, and the loss falls.
	for (const c of [
		{ setup: 'planted', layer: 'l0', steps: 300, size: 32 },
		{ setup: 'text-small', layer: 'h0.v', steps: 12, size: 48 }
	])
		it(
			`trains ${c.setup} (${c.layer}) and shows its ${c.size} singular values`,
			{ timeout: 240_000 },
			async () => {
				const { page, log, close } = await openPage(
					`${LESSON}?spectrum-setup=${c.setup}&spectrum-layer=${c.layer}&spectrum-steps=${c.steps}&spectrum-backend=wasm`
				);
				try {
					const fig = page.locator('#fig-spectrum');
					await fig.scrollIntoViewIfNeeded();
					const train = fig.getByRole('button', { name: 'Train', exact: true });
					await waitFor(page, () => train.isEnabled(), 120_000);
					await train.click();
					await waitFor(
						page,
						async () => (await text(page, 'spectrum-status')).startsWith('Done'),
						200_000
					);
					expect(await attr(page, 'spectrum-status', 'data-backend')).toBe('wasm');
					const first = Number(await attr(page, 'spectrum-loss', 'data-first'));
					const last = Number(await attr(page, 'spectrum-loss', 'data-last'));
					expect(last).toBeLessThan(first);
					await waitFor(
						page,
						async () => (await tableRows(page, /Singular values of ΔW/)).length === c.size
					);
					const sigma = (await tableRows(page, /Singular values of ΔW/)).map((r) => Number(r[1]));
					expect(sigma[0]).toBeGreaterThan(0);
					expect(sigma.every((x, i) => i === 0 || x <= sigma[i - 1])).toBe(true);
					if (c.setup === 'planted') {
						// A rank-2 change: the top two directions carry most of the update's energy.
						const energy = sigma.map((x) => x * x);
						const total = energy.reduce((a, b) => a + b, 0);
						expect((energy[0] + energy[1]) / total).toBeGreaterThan(0.5);
					}
					expect(await fig.locator('[data-series="delta"]').getAttribute('data-count')).toBe(
						String(c.size)
					);
					expect(log.consoleErrors).toEqual([]);
				} finally {
					await close();
				}
			}
		);
});

describe('lesson 4, figure 4: the LoRA rank slider', () => {
	for (const backend of BACKENDS) {
		it(
			`moves by keyboard, counts r·(d + k) in the trainer, and trains both runs on ${backend}`,
			{ timeout: 540_000 },
			async () => {
				const steps = backend === 'webgpu' ? 20 : 60;
				const { page, log, close } = await openPage(
					`${LESSON}?rank-backend=${backend}&rank-steps=${steps}`
				);
				try {
					const fig = page.locator('#fig-rank');
					await fig.scrollIntoViewIfNeeded();
					const count = () => attr(page, 'rank-trainable', 'data-count');
					// Scrolled into view, no trainer starts (issue 13): the count is the formula's alone
					// until the reader's first action, here the slider, starts the two workers.
					expect(await count()).toBeNull();
					expect(page.workers().filter((w) => w.url().includes('trainer.worker'))).toEqual([]);
					const slider = page.getByRole('slider', { name: 'LoRA rank' });
					await slider.focus();
					await page.keyboard.press('ArrowRight');
					expect(await text(page, 'rank-value')).toBe('r = 5');
					// A new rank compiles new kernels, slow on a software GPU: the long walk runs on wasm.
					const wait = backend === 'webgpu' ? 240_000 : 60_000;
					await waitFor(page, async () => (await count()) === String(5 * 256), wait);
					await waitFor(page, () => page.url().includes('rank-r=5'));
					let r = 5;
					if (backend === 'wasm') {
						await page.keyboard.press('End');
						await waitFor(page, async () => (await count()) === String(128 * 256));
						await page.keyboard.press('Home');
						await waitFor(page, async () => (await count()) === String(256));
						r = 1;
					}
					expect(await attr(page, 'rank-trainable', 'data-formula')).toBe(String(r * 256));

					await fig.getByRole('button', { name: 'Train both' }).click();
					await waitFor(
						page,
						async () =>
							(await text(page, 'rank-status')).startsWith('Done') ||
							(await text(page, 'rank-status')).startsWith('Scoring'),
						240_000
					);
					expect(await attr(page, 'rank-status', 'data-backend')).toBe(backend);
					for (const run of ['full', 'lora']) {
						const first = Number(await attr(page, 'rank-loss', `data-${run}-first`));
						const last = Number(await attr(page, 'rank-loss', `data-${run}-last`));
						expect(last, run).toBeLessThan(first);
					}
					const rows = await tableRows(page, /Full fine-tuning and LoRA side by side/);
					expect(rows[0][1]).toBe('26,122');
					expect(rows[1][1]).toBe((r * 256).toLocaleString('en'));
					if (backend === 'wasm') {
						await waitFor(
							page,
							async () =>
								(await text(page, 'rank-trunc-source')) === 'LIVE' ||
								(await text(page, 'rank-trunc-source')) === 'Live',
							120_000
						);
						expect(await text(page, 'rank-summary')).toMatch(
							/Measured here: keeping the top 8 of 128 directions/
						);
					}
					expect(log.consoleErrors).toEqual([]);
				} finally {
					await close();
				}
			}
		);
	}
});

describe('lesson 4, figure 5: do ranks agree?', () => {
	it('shows recorded φ first, labelled, with a table against chance', async () => {
		const { page, close } = await openPage(LESSON);
		try {
			expect(await text(page, 'agree-source')).toMatch(/recorded/i);
			// The recorded grid read by the lesson's own sentence: the numbers shown are the file's.
			const { phi } = RECORDED;
			expect(await text(page, 'agree-summary')).toContain(
				`Recorded on ${RECORDED.recorded} (${RECORDED.backend}). ${phiSentence(phi.grid, phi.r1, phi.r2, 128)}`
			);
			await page.getByRole('img', { name: /subspace similarity φ/ }).waitFor();
			const rows = await tableRows(page, /φ\(A_8, A_64, i, j\)/);
			expect(rows).toHaveLength(8);
			expect(rows.every((r) => r.slice(1).every((v) => Number(v) >= 0 && Number(v) <= 1))).toBe(
				true
			);
			// The heatmap saves as a PNG of sharp cells: 8 × 64 entries, each a whole block of pixels.
			const [download] = await Promise.all([
				page.waitForEvent('download'),
				page.locator('#fig-agree').getByRole('button', { name: 'Save heatmap (PNG)' }).click()
			]);
			expect(download.suggestedFilename()).toMatch(/^lora-phi-r8-r64-.*-recorded\.png$/);
			const chunks: Buffer[] = [];
			for await (const c of (await download.createReadStream()) as AsyncIterable<Buffer>)
				chunks.push(c);
			const png = Buffer.concat(chunks);
			expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
			// IHDR: width and height, big-endian, at bytes 16 and 20.
			const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
			expect(w % 64).toBe(0);
			expect(h % 8).toBe(0);
			expect(w / 64).toBe(h / 8);
			expect(w / 64).toBeGreaterThanOrEqual(4);
		} finally {
			await close();
		}
	});

	for (const backend of BACKENDS) {
		it(`trains both adapters live on ${backend} and computes φ`, { timeout: 240_000 }, async () => {
			const steps = backend === 'webgpu' ? 15 : 60;
			const { page, log, close } = await openPage(
				`${LESSON}?agree-backend=${backend}&agree-steps=${steps}`
			);
			try {
				const fig = page.locator('#fig-agree');
				await fig.scrollIntoViewIfNeeded();
				await fig.getByRole('button', { name: 'Run live' }).click();
				await waitFor(
					page,
					async () => (await text(page, 'agree-status')).startsWith('Done'),
					200_000
				);
				expect(await attr(page, 'agree-source', 'data-backend')).toBe(backend);
				expect(await text(page, 'agree-summary')).toMatch(
					new RegExp(`^Trained live on ${backend}.*share φ = \\d\\.\\d\\d`)
				);
				expect((await tableRows(page, /φ\(A_8, A_64, i, j\)/)).length).toBe(8);
				expect(log.consoleErrors).toEqual([]);
			} finally {
				await close();
			}
		});
	}
});

describe('lesson 4: URL state', () => {
	it('restores every figure from the URL and writes changes back', async () => {
		const { page, close } = await openPage(
			`${LESSON}?spectrum-setup=digits-permuted&spectrum-seed=7&rank-task=big&rank-r=16&rank-k=12&agree-task=big`
		);
		try {
			expect(await page.getByLabel('Model and task').inputValue()).toBe('digits-permuted');
			expect(await page.getByLabel('Seed').inputValue()).toBe('7');
			expect(
				await page.getByRole('button', { name: 'Large drift' }).getAttribute('aria-pressed')
			).toBe('true');
			await waitFor(page, async () => (await text(page, 'rank-value')) === 'r = 16');
			expect(await attr(page, 'rank-trainable', 'data-formula')).toBe(String(16 * 256));
			// Before training, the recorded full update of hidden layer 2 cut to its top 12 directions.
			const cut12 = RECORDED.runs['full-big-l1'].truncation.find((t) => t.k === 12)!.accuracy;
			await waitFor(page, async () => (await text(page, 'rank-k')) === `k = 12: ${pct(cut12)}`);
			// Recorded first: figure 4's accuracy curves are the recorded runs' until it trains.
			expect(await attr(page, 'rank-accuracy', 'data-source')).toBe('recorded');
			expect(Number(await attr(page, 'rank-accuracy', 'data-points'))).toBe(26);
			expect(await text(page, 'rank-curves-note')).toMatch(/^Recorded on .*LoRA at rank 16/);
			expect(await text(page, 'agree-summary')).toMatch(/No recording for this choice/);

			await page.getByRole('button', { name: 'Small shift' }).click();
			await waitFor(
				page,
				() => !page.url().includes('spectrum-setup') && !page.url().includes('spectrum-layer')
			);
			expect(page.url()).toContain('rank-r=16');
		} finally {
			await close();
		}
	});

	it('clamps bad values and says so', async () => {
		const { page, log, close } = await openPage(
			`${LESSON}?spectrum-setup=banana&spectrum-steps=-5&rank-r=999&rank-alpha=abc&agree-layer=nope`
		);
		try {
			await waitFor(page, async () => (await text(page, 'spectrum-messages')) !== '');
			const spectrumNotes = await text(page, 'spectrum-messages');
			expect(spectrumNotes).toMatch(/“banana” is not a model and task here/);
			expect(spectrumNotes).toMatch(/-5 is below the smallest number of steps, 10; using 10/);
			expect(await page.getByLabel('Model and task').inputValue()).toBe('digits-small');
			const rankNotes = await text(page, 'rank-messages');
			expect(rankNotes).toMatch(/999 is above the largest LoRA rank, 128; using 128/);
			expect(rankNotes).toMatch(/“abc” is not a number for α/);
			expect(await text(page, 'rank-value')).toBe('r = 128');
			expect(await text(page, 'agree-messages')).toMatch(/“nope” is not a matrix here/);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});
});

describe('lesson 4: recorded first, and the language model', () => {
	const rec = LM_RECORDED;
	const sigmaOf = async (page: Page) =>
		(await tableRows(page, /Singular values of ΔW \(recorded\)/)).map((r) => r[1]);

	it('figure 2 shows a recorded spectrum before any click: the digits default and Large drift, and the language model by URL', async () => {
		for (const c of [
			{ q: '', run: rec.lab['digits-small'], layer: 'l1', n: 128 },
			{
				q: '?spectrum-setup=digits-permuted',
				run: rec.lab['digits-permuted'],
				layer: 'l1',
				n: 128
			},
			{
				q: '?spectrum-setup=english-modern&spectrum-layer=h2.v',
				run: rec.full['sotu-1990-2021'],
				layer: 'h2.v',
				n: 96
			},
			{
				q: '?spectrum-setup=english-code&spectrum-layer=h0.up',
				run: rec.full['d3-code'],
				layer: 'h0.up',
				n: 96
			}
		]) {
			const { page, log, close } = await openPage(`${LESSON}${c.q}`);
			try {
				const fig = page.locator('#fig-spectrum');
				// The recording loads as the figure nears the screen, before any click.
				await fig.scrollIntoViewIfNeeded();
				await waitFor(page, async () => /^Recorded on/.test(await text(page, 'spectrum-summary')));
				expect(await text(page, 'spectrum-source')).toMatch(/^recorded$/i);
				expect(await attr(page, 'spectrum-source', 'data-backend')).toBe(rec.backend);
				const summary = await text(page, 'spectrum-summary');
				expect(summary).toContain(`Recorded on ${rec.recorded} (${rec.where})`);
				const rank90 = (c.run.rank90 as Record<string, number>)[c.layer];
				expect(summary).toContain(`90% needs ${rank90} of ${c.n} directions`);
				expect(await fig.locator('[data-series="delta"]').getAttribute('data-count')).toBe(
					String(c.n)
				);
				const want = (c.run.spectra as Record<string, number[]>)[c.layer];
				const sigma = await sigmaOf(page);
				expect(sigma).toHaveLength(c.n);
				expect(Number(sigma[0])).toBeCloseTo(want[0], 3);
				expect(await fig.getByRole('button', { name: 'Train', exact: true }).isVisible()).toBe(
					true
				);
				expect(log.consoleErrors).toEqual([]);
			} finally {
				await close();
			}
		}
	});

	it('figure 2 replaces the recorded spectrum with the live one when the reader trains the language model, and Reset brings the recording back', async () => {
		const { page, log, close } = await openPage(
			`${LESSON}?spectrum-setup=english-code&spectrum-layer=h1.v&spectrum-steps=10&spectrum-backend=wasm`
		);
		try {
			const fig = page.locator('#fig-spectrum');
			await fig.scrollIntoViewIfNeeded();
			await waitFor(page, async () => /^Recorded on/.test(await text(page, 'spectrum-summary')));
			// The reader's 10 steps are not the recording's 400: the figure says so.
			expect(await text(page, 'spectrum-summary')).toMatch(
				/Your settings differ \(steps 10, seed 1\)/
			);
			const train = fig.getByRole('button', { name: 'Train', exact: true });
			await waitFor(page, () => train.isEnabled(), 120_000);
			await train.click();
			await waitFor(
				page,
				async () => (await text(page, 'spectrum-status')).startsWith('Done'),
				180_000
			);
			expect(await text(page, 'spectrum-source')).toMatch(/^live$/i);
			expect(await attr(page, 'spectrum-source', 'data-backend')).toBe('wasm');
			expect(await text(page, 'spectrum-summary')).toMatch(/^After 10 steps of full fine-tuning/);
			expect(await fig.locator('[data-series="delta"]').getAttribute('data-count')).toBe('96');
			await fig.getByRole('button', { name: 'Reset' }).click();
			await waitFor(page, async () => /^Recorded on/.test(await text(page, 'spectrum-summary')));
			expect(await text(page, 'spectrum-source')).toMatch(/^recorded$/i);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	}, 240_000);

	it('figure 4 offers the language model: its recorded rank sweep before any click, the slider by keyboard, r·(96 + 96) per matrix, a bad matrix clamped, and both runs trained live', async () => {
		const { page, log, close } = await openPage(
			`${LESSON}?rank-task=lm&rank-r=8&rank-layer=l1&rank-steps=10&rank-backend=wasm`
		);
		try {
			const fig = page.locator('#fig-rank');
			await fig.scrollIntoViewIfNeeded();
			await waitFor(page, async () => (await attr(page, 'rank-sweep', 'data-task')) === 'lm');
			expect(await attr(page, 'rank-sweep', 'data-count')).toBe(String(rec.sweep.runs.length));
			expect(await text(page, 'rank-sweep-source')).toMatch(/^recorded$/i);
			const at8 = rec.sweep.runs.find((x) => x.rank === 8)!;
			expect(await text(page, 'rank-sweep-summary')).toContain(
				`at rank 8, LoRA reaches ${at8.bits.toFixed(3)} bits per character on held-out text, against ${rec.sweep.fullBits.toFixed(3)} with full fine-tuning`
			);
			expect(await text(page, 'rank-messages')).toMatch(/“l1” is not a matrix here/);
			expect(await fig.getByLabel('Task', { exact: true }).inputValue()).toBe('lm');
			expect(await attr(page, 'rank-trainable', 'data-formula')).toBe(String(8 * 2 * 192));
			const slider = page.getByRole('slider', { name: 'LoRA rank' });
			await slider.focus();
			await page.keyboard.press('ArrowRight');
			expect(await text(page, 'rank-value')).toBe('r = 9');
			expect(await attr(page, 'rank-trainable', 'data-formula')).toBe(String(9 * 2 * 192));
			await waitFor(page, () => page.url().includes('rank-r=9'));
			expect(page.url()).toContain('rank-task=lm');
			// The trainer builds the language model's adapters and counts them as the formula does.
			await waitFor(
				page,
				async () => (await attr(page, 'rank-trainable', 'data-count')) === String(9 * 2 * 192),
				180_000
			);
			// Both runs train live on the language model.
			await fig.getByRole('button', { name: 'Train both' }).click();
			await waitFor(
				page,
				async () => (await text(page, 'rank-status')).startsWith('Done'),
				180_000
			);
			expect(await attr(page, 'rank-status', 'data-backend')).toBe('wasm');
			// Ten minibatches of 8 windows are too noisy to demand a falling loss: the recording shows
			// the learning; here both runs train and report finite losses.
			for (const run of ['full', 'lora'])
				expect(Number(await attr(page, 'rank-loss', `data-${run}-last`)), run).toBeGreaterThan(0);
			expect(await text(page, 'rank-summary')).toMatch(
				/After 10 steps, held-out next-character accuracy is \d+\.\d% with LoRA/
			);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	}, 240_000);

	it('figure 5 shows the language model’s recorded φ, labelled, against chance in 96 dimensions, and runs it live', async () => {
		const { page, log, close } = await openPage(
			`${LESSON}?agree-task=lm&agree-steps=10&agree-backend=wasm`
		);
		try {
			const { phi } = rec;
			await page.locator('#fig-agree').scrollIntoViewIfNeeded();
			await waitFor(page, async () => /^Recorded on/.test(await text(page, 'agree-summary')));
			expect(await text(page, 'agree-source')).toMatch(/^recorded$/i);
			expect(await text(page, 'agree-summary')).toContain(
				`Recorded on ${rec.recorded} (${rec.backend}, ${rec.training.steps} steps). ${phiSentence(phi.grid, phi.r1, phi.r2, 96)}`
			);
			const rows = await tableRows(page, /φ\(A_8, A_64, i, j\)/);
			expect(rows).toHaveLength(8);
			expect(Number(rows[0][1])).toBeCloseTo(phi.grid[0], 3);
			// Run live: both adapters train on the language model and φ is computed from them.
			await page.locator('#fig-agree').getByRole('button', { name: 'Run live' }).click();
			await waitFor(
				page,
				async () => (await text(page, 'agree-status')).startsWith('Done'),
				200_000
			);
			expect(await text(page, 'agree-summary')).toMatch(
				/^Trained live on \w+\. .*in 96 dimensions.*bits per character at ranks 8 and 64\.$/
			);
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	}, 240_000);
});
