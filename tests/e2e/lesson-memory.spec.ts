/**
 * Lesson 3 in real Chromium: the calculator follows its controls and keeps them in the URL
 * (prefixed `calc-`), clamps bad URL values with a message and never shows NaN, works from the
 * keyboard and offers its numbers as a table and a CSV; the other figures keep their own URL
 * state; and the measured panel really trains the in-browser transformer, its frozen weights,
 * trainable weights and Adam state (read from tfjs's `tf.memory().numBytes` in the worker) equal
 * to the memory model's prediction plus the scalar tensors no parameter count includes, and its
 * transient peak within the bounds the model's activations give.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { stepPeakBounds, transformerActivationBytes } from '$lib/math/stepPeak';
import { openPage, waitFor } from './browser';

const LESSON = 'lessons/what-fine-tuning-costs/';

/** The bar total (bytes) the calculator draws for a method. */
async function total(figure: Locator, method: string): Promise<number> {
	return Number(await figure.locator(`[data-row="${method}"]`).getAttribute('data-total'));
}

const query = (page: Page) => new URL(page.url()).searchParams;

describe('memory calculator', () => {
	it('redraws when a control changes and round-trips its state through the URL', async () => {
		const { page, log, close } = await openPage(LESSON);
		try {
			const calc = page.locator('#calculator');
			// Llama 2 7B by default: 16 B/param of model state plus activations, about 111 GB.
			const before = await total(calc, 'full');
			expect(before / 1e9).toBeGreaterThan(100);
			expect(before / 1e9).toBeLessThan(120);
			await calc.getByLabel('Model', { exact: true }).selectOption('gpt2');
			await waitFor(page, () => query(page).get('calc-model') === 'gpt2');
			const gpt2 = await total(calc, 'full');
			expect(gpt2).toBeLessThan(before / 10);
			await calc.getByLabel('Tokens per sequence').fill('256');
			await calc.getByLabel('Tokens per sequence').press('Enter');
			await waitFor(page, () => query(page).get('calc-seq') === '256');
			const shorter = await total(calc, 'full');
			expect(shorter).toBeLessThan(gpt2);
			expect(await calc.getByTestId('calc-summary').innerText()).toMatch(
				/GPT-2 \(124M\).*1 × 256 tokens/
			);

			// The same URL in a fresh page shows the same state and the same numbers.
			const again = await openPage(page.url().replace(/^.*?\/lessons\//, 'lessons/'));
			try {
				const calc2 = again.page.locator('#calculator');
				await waitFor(
					again.page,
					async () => (await calc2.getByLabel('Model', { exact: true }).inputValue()) === 'gpt2'
				);
				expect(await calc2.getByLabel('Tokens per sequence').inputValue()).toBe('256');
				expect(await total(calc2, 'full')).toBe(shorter);
			} finally {
				await again.close();
			}
			expect(log.consoleErrors).toEqual([]);
		} finally {
			await close();
		}
	});

	it('clamps bad URL values with a message and never shows NaN or Infinity', async () => {
		const { page, close } = await openPage(
			`${LESSON}?calc-model=banana&calc-rank=99999&calc-seq=-5&calc-targets=zz&calc-devices=abc`
		);
		try {
			const calc = page.locator('#calculator');
			await waitFor(page, async () => (await calc.getByRole('status').count()) >= 4);
			const notes = (await calc.getByTestId('calc-messages').innerText()).replace(/\s+/g, ' ');
			expect(notes).toMatch(/“banana” is not a model; showing llama-2-7b/);
			expect(notes).toMatch(/99999 is above the largest LoRA rank, 1024; using 1024/);
			expect(notes).toMatch(/-5 is below the smallest sequence length, 1; using 1/);
			expect(notes).toMatch(/“zz” names no adaptable matrix/);
			expect(notes).toMatch(/“abc” is not a number for number of devices; using 1/);
			// Rank 1024 still fits Llama 2 7B's 4096 × 4096 matrices, so LoRA is drawn.
			expect(await calc.locator('[data-row="lora"]').count()).toBe(1);
			expect(await calc.innerText()).not.toMatch(/NaN|Infinity/);
		} finally {
			await close();
		}
	});

	it('explains a model that cannot be built, and a rank too large for a matrix, without NaN', async () => {
		const { page, close } = await openPage(`${LESSON}?calc-model=custom&calc-d=100&calc-heads=3`);
		try {
			const calc = page.locator('#calculator');
			await waitFor(page, async () =>
				(await calc.getByTestId('calc-messages').innerText()).includes('cannot be built')
			);
			expect(await calc.getByTestId('calc-messages').innerText()).toMatch(
				/nHeads must divide dModel/
			);
			expect(await calc.locator('[data-row]').count()).toBe(0);
			expect(await calc.innerText()).not.toMatch(/NaN|Infinity/);
			// A valid custom model (4 heads, 4 key/value heads, width 100), then a rank larger than
			// its 100 × 100 attention matrices allow.
			for (const [label, value] of [
				['Key/value heads', '4'],
				['Heads', '4']
			]) {
				await calc.getByLabel(label, { exact: true }).fill(value);
				await calc.getByLabel(label, { exact: true }).press('Enter');
			}
			await waitFor(page, async () => (await calc.locator('[data-row="full"]').count()) === 1);
			await calc.getByLabel('Rank r').fill('200');
			await calc.getByLabel('Rank r').press('Enter');
			await waitFor(page, async () => (await calc.locator('[data-row="lora"]').count()) === 0);
			expect(await calc.getByTestId('calc-messages').innerText()).toMatch(
				/LoRA is not drawn: rank must be at most/
			);
			expect(await calc.innerText()).not.toMatch(/NaN|Infinity/);
		} finally {
			await close();
		}
	});

	it('works from the keyboard', async () => {
		const { page, close } = await openPage(LESSON);
		try {
			const calc = page.locator('#calculator');
			const act = async () =>
				Number(await calc.locator('[data-row="full"]').getAttribute('data-total'));
			const textbook = await act();
			await calc.getByLabel('FlashAttention').focus();
			await page.keyboard.press('Space');
			await waitFor(page, () => query(page).get('calc-flash') === '1');
			// One sequence of 512 tokens: the s×s matrices were a small share, but a share.
			expect(await act()).toBeLessThan(textbook);
			await page.keyboard.press('Space');
			await waitFor(page, () => !query(page).has('calc-flash'));
			expect(await act()).toBe(textbook);
			const before = await act();
			await calc.getByLabel('Gradient checkpointing').focus();
			await page.keyboard.press('Space');
			await waitFor(page, () => query(page).get('calc-ckpt') === '1');
			expect(await act()).toBeLessThan(before);
			await calc.getByLabel('Rank r').focus();
			await page.keyboard.press('Control+A');
			await page.keyboard.type('16');
			await page.keyboard.press('Enter');
			await waitFor(page, () => query(page).get('calc-rank') === '16');
			// LoRA at r = 16 on W_q, W_v of Llama 2 7B: 16·(4096 + 4096)·2·32 = 8,388,608 parameters.
			expect(await calc.locator('[data-row="lora"] text').first().textContent()).toMatch(
				/8\.39M trainable/
			);
			await calc.getByLabel('Model', { exact: true }).focus();
			await page.keyboard.press('ArrowDown');
			await waitFor(page, () => query(page).get('calc-model') === 'llama-2-13b');
		} finally {
			await close();
		}
	});

	it('shows its numbers in a data table and exports them as CSV', async () => {
		const { page, close } = await openPage(LESSON);
		try {
			const calc = page.locator('#calculator');
			await calc.getByText('Data table').click();
			const table = calc.getByRole('table');
			expect(await table.locator('tbody tr').count()).toBe(8);
			expect(await table.locator('tbody tr').first().innerText()).toMatch(
				/Full fine-tuning\s+13\.5 GB/
			);
			const [download] = await Promise.all([
				page.waitForEvent('download'),
				calc.getByRole('button', { name: 'Download CSV' }).click()
			]);
			expect(download.suggestedFilename()).toBe('fine-tuning-memory.csv');
			const chunks: Buffer[] = [];
			for await (const c of (await download.createReadStream()) as AsyncIterable<Buffer>)
				chunks.push(c);
			const csv = Buffer.concat(chunks).toString('utf8').split('\r\n');
			expect(csv[0]).toMatch(
				/^Method,Weights \(GB\),Gradients \(GB\),Optimizer state \(GB\),Activations \(GB\),Total \(GB\)/
			);
			expect(csv[1]).toMatch(/^Full fine-tuning,13\.4768/);
		} finally {
			await close();
		}
	});
});

describe('the other figures', () => {
	it('keep their own prefixed URL state and clamp bad values', async () => {
		const { page, close } = await openPage(`${LESSON}?size-gpu=7&papers-show=nope`);
		try {
			const size = page.locator('#by-size');
			const papers = page.locator('#papers');
			await waitFor(page, async () => (await size.getByRole('status').count()) === 1);
			expect(await size.getByRole('status').innerText()).toMatch(
				/“7” is not a GPU size; showing 24 GB/
			);
			expect(await papers.getByRole('status').innerText()).toMatch(/“nope” is not a paper here/);
			expect(await size.getByTestId('size-summary').innerText()).toMatch(/^On a 24 GB GPU/);
			await size.getByLabel('Your GPU').selectOption('80');
			await waitFor(page, () => query(page).get('size-gpu') === '80');
			expect(await size.getByTestId('size-summary').innerText()).toMatch(/^On a 80 GB GPU/);
			await papers.getByLabel('LoRA (Hu et al.)').check();
			await waitFor(page, () => query(page).get('papers-show') === 'lora');
			expect(query(page).get('size-gpu')).toBe('80');
			expect(await papers.getByTestId('papers-summary').innerText()).toMatch(
				/of the 4 published numbers/
			);
			await papers.getByText('Data table').click();
			expect(await papers.getByRole('table').locator('tbody tr').count()).toBe(4);
		} finally {
			await close();
		}
	});
});

/** The in-browser transformer (static/models/manifest.json) at the figure's default batch. */
const CHARLM = { vocab: 21, dModel: 48, heads: 4, layers: 2 };
const BATCH = 16;
const SEQ = 32;

/** Bounds on the transient peak of a step (see `stepPeakBounds`) for full fine-tuning or LoRA. */
function peakBounds(lora?: { rank: number; trainable: number }) {
	const d = CHARLM.dModel;
	// LoRA adapts q, k, v, o (width d), up (4d) and down (d) in each of the 2 blocks.
	const outDims = [d, d, d, d, 4 * d, d, d, d, d, d, 4 * d, d];
	return stepPeakBounds({
		activations: transformerActivationBytes(
			CHARLM,
			BATCH,
			SEQ,
			lora ? { rank: lora.rank, outDims } : undefined
		),
		gradients: 4 * (lora ? lora.trainable : 60_213),
		largestVariable: 4 * (lora ? 4 * d * lora.rank : d * 4 * d),
		largestWeight: 4 * d * 4 * d
	});
}

describe('measured beside predicted', () => {
	it(
		'trains the in-browser transformer; measured = predicted + the named scalars, full and LoRA',
		{ timeout: 240_000 },
		async () => {
			const { page, log, close } = await openPage(LESSON);
			try {
				const fig = page.locator('#measured');
				await fig.scrollIntoViewIfNeeded();
				const bytes = async (testid: string) =>
					Number(await fig.getByTestId(testid).getAttribute('data-bytes'));
				const measuredOf = async (part: string) => bytes(`measured-${part}`);
				const ledgerReady = async (trainable: number) =>
					(await fig.getByTestId('measured-trainable').getAttribute('data-bytes')) ===
					String(trainable);

				const gap = async (part: string) =>
					(await measuredOf(part)) - (await bytes(`predicted-${part}`));
				// Before the reader's first action the prediction shows and no trainer worker runs;
				// Measure starts it.
				await waitFor(page, async () => (await bytes('predicted-trainable')) === 240_852);
				expect(page.workers().filter((w) => w.url().includes('trainer.worker'))).toEqual([]);
				await fig.getByRole('button', { name: 'Measure', exact: true }).click();
				const peakWithin = async (b: { lower: number; upper: number }) => {
					const peak = await measuredOf('transient');
					expect(peak).toBeGreaterThanOrEqual(b.lower);
					expect(peak).toBeLessThanOrEqual(b.upper);
				};

				// Full fine-tuning: all 60,213 parameters train, 4 B each, and Adam keeps 8 B each
				// plus its four scalar constants (β₁, 1 − β₁, β₂, 1 − β₂): 16 B no count includes.
				await waitFor(page, () => ledgerReady(240_852), 120_000);
				expect(await measuredOf('frozen')).toBe(0);
				expect(await gap('frozen')).toBe(0);
				expect(await gap('trainable')).toBe(0);
				expect(await gap('optimizer')).toBe(16);
				expect(await measuredOf('optimizer')).toBe(481_720);
				await peakWithin(peakBounds());

				// It really trains: 30 steps, and the loss falls.
				const train = fig.getByRole('button', { name: /Train 30 steps/ });
				await waitFor(page, () => train.isEnabled());
				await train.click();
				await waitFor(
					page,
					async () => Number(await fig.getByTestId('measured-step').innerText()) >= 30,
					120_000
				);
				const loss = fig.getByTestId('measured-loss');
				expect(Number(await loss.getAttribute('data-last'))).toBeLessThan(
					Number(await loss.getAttribute('data-first'))
				);

				// LoRA, chosen from the keyboard: the base is frozen, only r·(d + k) per matrix trains.
				await fig.getByLabel('Full fine-tuning').focus();
				await page.keyboard.press('ArrowRight');
				await waitFor(page, () => query(page).get('measured-method') === 'lora');
				// Frozen: the 60,213 base parameters and α/r, a 4 B scalar for each of the 12 adapted
				// layers; Adam: 8 B per trainable value and its 16 B of constants.
				await waitFor(page, () => ledgerReady(27_648), 120_000);
				expect(await gap('frozen')).toBe(48);
				expect(await gap('trainable')).toBe(0);
				expect(await gap('optimizer')).toBe(16);
				expect(await measuredOf('frozen')).toBe(240_900);
				expect(await measuredOf('optimizer')).toBe(55_312);
				await peakWithin(peakBounds({ rank: 4, trainable: 6912 }));
				// Both runs stay on the chart: measured and predicted bars for each.
				expect(await fig.locator('[data-row]').count()).toBe(4);
				expect(log.consoleErrors).toEqual([]);
			} finally {
				await close();
			}
		}
	);

	// WebGL and WebGPU (SwiftShader here): the same bytes as on WebAssembly, read from tfjs's
	// count on that backend, and a transient peak within the same bounds.
	for (const backend of ['webgl', 'webgpu'] as const) {
		it(
			`measures LoRA's ledger on ${backend}: the same named scalars, the peak within bounds`,
			{ timeout: 300_000 },
			async () => {
				const { page, log, close } = await openPage(
					`${LESSON}?measured-method=lora&measured-backend=${backend}`
				);
				try {
					const fig = page.locator('#measured');
					await fig.scrollIntoViewIfNeeded();
					await fig.getByRole('button', { name: 'Measure', exact: true }).click();
					const bytes = async (testid: string) =>
						Number(await fig.getByTestId(testid).getAttribute('data-bytes'));
					await waitFor(
						page,
						async () =>
							(await fig.getByTestId('measured-trainable').getAttribute('data-bytes')) === '27648',
						280_000
					);
					expect(await fig.getByTestId('measured-step').locator('..').innerText()).toMatch(
						new RegExp(`on ${backend}$`)
					);
					const gap = async (part: string) =>
						(await bytes(`measured-${part}`)) - (await bytes(`predicted-${part}`));
					expect(await gap('frozen')).toBe(48);
					expect(await gap('trainable')).toBe(0);
					expect(await gap('optimizer')).toBe(16);
					const peak = await bytes('measured-transient');
					const b = peakBounds({ rank: 4, trainable: 6912 });
					expect(peak).toBeGreaterThanOrEqual(b.lower);
					expect(peak).toBeLessThanOrEqual(b.upper);
					expect(log.consoleErrors).toEqual([]);
				} finally {
					await close();
				}
			}
		);
	}
});
